"""Delete uploaded files that were never saved as documents."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clearinghouse.library.services import document_files_prune


class Command(BaseCommand):
    help = "Delete uploads left without a document for more than --days days."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=2)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days: int, dry_run: bool, **options) -> None:
        if days < 0:
            raise CommandError("--days cannot be negative.")
        count = document_files_prune(
            before=timezone.now() - timedelta(days=days), dry_run=dry_run
        )
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{count} waiting uploads {verb}.")
