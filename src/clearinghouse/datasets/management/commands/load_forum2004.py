"""Load the Forum 2004 dataset (data/forum2004/): idempotent, all or nothing."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from clearinghouse.datasets.forum2004 import DatasetError, dataset_load, dataset_read


class Command(BaseCommand):
    help = (
        "Check and load data/forum2004/*.yaml. Nothing is written unless all is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", default=str(settings.DATA_DIR / "forum2004"), help="Folder."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )

    def handle(self, *args, data_dir: str, dry_run: bool, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self._load(Path(data_dir), dry_run=dry_run)

    def _load(self, path: Path, *, dry_run: bool) -> None:
        try:
            if dry_run:
                dataset_read(path)
                with transaction.atomic():
                    report = dataset_load(path)
                    transaction.set_rollback(True)
            else:
                report = dataset_load(path)
        except DatasetError as error:
            raise CommandError(
                "The dataset was not loaded:\n  " + "\n  ".join(error.problems)
            ) from error
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
