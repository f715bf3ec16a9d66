"""Rebuild the library's search index from the database."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from clearinghouse.library.indexing import reindex_all
from clearinghouse.library.models import Document


class Command(BaseCommand):
    help = "Rebuild the library's search index in batches."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many documents would be indexed.",
        )

    def handle(self, *args, batch_size: int, dry_run: bool, **options) -> None:
        if not 1 <= batch_size <= 100_000:
            raise CommandError("--batch-size must be between 1 and 100000.")
        if dry_run:
            count = Document.objects.published().count()
            self.stdout.write(f"{count} published documents would be indexed.")
            return
        started = time.monotonic()
        terminal = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if not terminal:
                return
            width = 40
            filled = width * done // max(total, 1)
            rate = done / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                f"({rate:,.0f}/s)"
            )
            sys.stderr.flush()

        count = reindex_all(batch_size=batch_size, progress=progress)
        if terminal:
            sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(f"Indexed {count} documents in {elapsed:.1f} s.")
