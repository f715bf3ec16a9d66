"""Harvest one partner source, or every due one: `clearinghouse harvest`."""

from django.core.management.base import BaseCommand, CommandError

from clearinghouse.federation.models import Source, SourceStatus
from clearinghouse.federation.services import source_harvest, sources_harvest_due
from clearinghouse.federation.tasks import harvest_source_task


class Command(BaseCommand):
    help = "Harvest a partner source (--source ID) or all due sources (--due)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--source", type=int, help="The id of one source.")
        group.add_argument("--due", action="store_true", help="Every due source.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change; write nothing.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the harvests for the background worker instead.",
        )

    def handle(self, *args, source=None, due=False, dry_run=False, enqueue=False, **kw):
        if source is not None:
            found = Source.objects.filter(pk=source).first()
            if found is None:
                raise CommandError(f"No source with id {source}.")
            if found.status != SourceStatus.ACTIVE:
                raise CommandError(f"Source {source} is not active ({found.status}).")
            sources = [found]
        else:
            sources = None
        if enqueue:
            if dry_run:
                raise CommandError("--dry-run runs here; it cannot be queued.")
            from django.utils import timezone

            targets = sources or list(Source.objects.due(timezone.now()))
            for target in targets:
                harvest_source_task.enqueue(target.pk)
            self.stdout.write(f"Queued {len(targets)} harvest(s).")
            return
        runs = (
            [source_harvest(source=sources[0], dry_run=dry_run)]
            if sources
            else sources_harvest_due(dry_run=dry_run)
        )
        for run in runs:
            self.stdout.write(
                f"{run.source.pk} {run.source.name}: {run.status}"
                f"{' (dry run)' if dry_run else ''} — fetched {run.fetched}, "
                f"created {run.created}, updated {run.updated}, "
                f"unchanged {run.unchanged}, deleted {run.deleted}, "
                f"skipped {run.skipped}, errors {len(run.errors)}"
            )
        if not runs:
            self.stdout.write("No source is due.")
