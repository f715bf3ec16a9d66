"""Restore the database from a backup file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clearinghouse.core.backup import BackupError, backup_restore
from clearinghouse.security.services import audit_record


class Command(BaseCommand):
    help = "Replace the database's content with a backup (asks first on a terminal)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="The backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation."
        )

    def handle(self, *args, source: str, yes: bool, **options):
        if not yes:
            answer = input(
                "Replace everything in the database with this backup? [y/N] "
            )
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing was restored.")
        try:
            backup_restore(source=Path(source))
        except BackupError as error:
            raise CommandError(str(error)) from error
        # Written after the restore, so that the restored log keeps it.
        audit_record(
            actor=None, action="backup.restore", target=str(source), request=None
        )
        self.stdout.write(f"Restored from {source}")
