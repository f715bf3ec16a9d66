"""Import events from an iCalendar file: `clearinghouse import_ics FILE [--dry-run]`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from clearinghouse.events.ical import MAX_BYTES
from clearinghouse.events.models import EventKind
from clearinghouse.events.services import CalendarRefused, calendar_import


class Command(BaseCommand):
    help = (
        "Import the events of an .ics file, matched by UID (a known UID updates "
        "its event). Reports each event: created, updated, unchanged or skipped, "
        "and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .ics file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would happen; write nothing.",
        )
        parser.add_argument(
            "--kind",
            default=EventKind.CONFERENCE,
            choices=EventKind.values,
            help="Kind of the events that do not say (default: conference).",
        )

    def handle(self, *args, file: str, dry_run: bool, kind: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(
                f"{file} is larger than {MAX_BYTES // 2**20} MB: "
                "split it into smaller files."
            )
        with translation.override(settings.LANGUAGE_CODE):
            try:
                report = calendar_import(
                    data=path.read_bytes(), dry_run=dry_run, default_kind=kind
                )
            except CalendarRefused as refused:
                raise CommandError(
                    "The file was not imported:\n  " + "\n  ".join(refused.messages)
                ) from refused
            for note in report.notes:
                self.stdout.write(f"note: {note}")
            for line in report.lines:
                detail = "; ".join(
                    ([f"changed: {', '.join(line.changed)}"] if line.changed else [])
                    + line.reasons
                )
                self.stdout.write(
                    f"{line.number:>5} {line.outcome:<9} {line.uid} — {line.title}"
                    + (f" ({detail})" if detail else "")
                )
            self.stdout.write(report.summary())
            if dry_run:
                self.stdout.write("Dry run: nothing was written.")
