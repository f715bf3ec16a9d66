"""Rebuild the spam classifier from every moderator's decision."""

from django.core.management.base import BaseCommand

from clearinghouse.consultations.spam import classifier_rebuild


class Command(BaseCommand):
    help = "Rebuild the spam classifier from moderators' approve / spam decisions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the decisions, store nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        ham, spam = classifier_rebuild(dry_run=dry_run)
        verb = "Would train" if dry_run else "Trained"
        self.stdout.write(f"{verb} on {ham} approved and {spam} spam contributions.")
