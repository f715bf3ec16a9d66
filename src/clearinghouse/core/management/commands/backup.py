"""Take a consistent backup of the database while the site runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clearinghouse.core.backup import BackupError, backup_create, backup_suffix
from clearinghouse.security.services import audit_record


class Command(BaseCommand):
    help = "Copy the database into a backup file (SQLite online backup, pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument(
            "target",
            nargs="?",
            help=(
                "File to write (default: var/backups/clearinghouse-<time>.sqlite3, "
                "or .dump on PostgreSQL)."
            ),
        )

    def handle(self, *args, target: str | None = None, **options):
        from django.conf import settings

        try:
            path = (
                Path(target)
                if target
                else settings.VAR_DIR
                / "backups"
                / f"clearinghouse-{timezone.now():%Y%m%dT%H%M%SZ}{backup_suffix()}"
            )
            backup_create(target=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        audit_record(actor=None, action="backup.create", target=str(path), request=None)
        self.stdout.write(f"Backup written to {path}")
