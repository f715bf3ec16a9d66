"""Copy every record of another database into this one (e.g. SQLite → PostgreSQL)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from clearinghouse.core.transfer import (
    TransferError,
    data_compare,
    data_copy,
    database_alias_add,
)


class Command(BaseCommand):
    help = (
        "Copy every record, with its history, from the database at --source into "
        "the configured database (DATABASE_URL), which is migrated first and must "
        "hold no records yet. Example: DATABASE_URL=postgres://… clearinghouse "
        "copy_data --source sqlite:////srv/clearinghouse/var/clearinghouse.sqlite3"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", required=True, help="URL of the database to copy from."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check both databases and list what would be copied; write nothing.",
        )

    def handle(self, *args, source: str, dry_run: bool = False, **options):
        try:
            alias = database_alias_add("source", source)
            call_command("migrate", database=alias, check_unapplied=True, verbosity=0)
        except SystemExit as exit_:
            raise CommandError(
                "The source database has unapplied migrations: run the same "
                "version of the clearinghouse's `migrate` on it first."
            ) from exit_
        except TransferError as error:
            raise CommandError(str(error)) from error
        except Exception as error:  # a wrong path, host or password
            raise CommandError(f"Cannot open the source database: {error}") from error
        if not dry_run:
            call_command("migrate", verbosity=0, interactive=False)
        try:
            if dry_run:
                differences = data_compare(source=alias, target="default")
                for label, (count, present) in sorted(differences.items()):
                    self.stdout.write(f"{label}: {count} to copy ({present} present)")
                return
            report = data_copy(
                source=alias,
                target="default",
                progress=lambda label, count: self.stdout.write(f"{label}: {count}"),
            )
        except TransferError as error:
            raise CommandError(str(error)) from error
        differences = data_compare(source=alias, target="default")
        if differences:
            raise CommandError(f"Counts differ after the copy: {differences}")
        self.stdout.write(
            self.style.SUCCESS(f"Copied {report.total} records; every count matches.")
        )
