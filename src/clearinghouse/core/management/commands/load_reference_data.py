"""Load UN M49 regions and ISO 3166-1 countries from data/core/."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clearinghouse.core.services import reference_data_load


class Command(BaseCommand):
    help = "Load countries and regions from data/core/*.csv (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", default=str(settings.DATA_DIR / "core"), help="Folder."
        )

    def handle(self, *args, data_dir: str, **options):
        from pathlib import Path

        path = Path(data_dir)
        if not (path / "countries.csv").exists():
            raise CommandError(f"No countries.csv in {path}.")
        report = reference_data_load(data_dir=path)
        for line in report.lines():
            self.stdout.write(line)
