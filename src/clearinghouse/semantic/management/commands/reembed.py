"""Embed the issues and every document again (after a change of encoder), in batches."""

import os

from django.core.management.base import BaseCommand, CommandError

from clearinghouse.library.models import Document
from clearinghouse.semantic import encoder, services, store
from clearinghouse.semantic.models import DocumentVector


class Command(BaseCommand):
    help = (
        "Embed issues and documents whose vectors are missing, stale or made by "
        "another encoder (all of them with --all), then suggest their issues."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=256)
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="Encoder processes, one core each (default: up to 2).",
        )
        parser.add_argument(
            "--all", action="store_true", help="Embed every document again."
        )
        parser.add_argument(
            "--no-suggest", action="store_true", help="Do not suggest issues."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be embedded."
        )

    def handle(
        self,
        *args,
        batch_size: int,
        workers: int,
        all: bool,
        no_suggest: bool,
        dry_run: bool,
        **options,
    ) -> None:
        if not 1 <= batch_size <= 10_000:
            raise CommandError("--batch-size must be between 1 and 10000.")
        if not 1 <= workers <= 64:
            raise CommandError("--workers must be between 1 and 64.")
        model = encoder.model_name()
        ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
        if not all:
            current = set(
                DocumentVector.objects.filter(model=model).values_list(
                    "document_id", flat=True
                )
            )
            # Documents with a current vector are still checked (their text may
            # have changed), but only after the missing ones.
            ids = [pk for pk in ids if pk not in current] + [
                pk for pk in ids if pk in current
            ]
        if dry_run:
            self.stdout.write(f"{len(ids)} documents would be checked with {model}.")
            return
        try:
            with encoder.Pool(workers) as pool:
                self._embed(pool, ids, batch_size, all, not no_suggest)
        except encoder.EncoderUnavailable as error:
            raise CommandError(str(error)) from error
        store.forget()

    def _embed(self, pool, ids, batch_size: int, force: bool, suggest: bool) -> None:
        issues = services.issues_embed(force=force, encode=pool.encode)
        self.stdout.write(
            f"Issues: {issues.embedded} embedded, {issues.unchanged} unchanged."
        )
        embedded = unchanged = 0
        for start in range(0, len(ids), batch_size):
            report = services.documents_embed(
                document_ids=ids[start : start + batch_size],
                force=force,
                suggest=suggest,
                encode=pool.encode,
            )
            embedded += report.embedded
            unchanged += report.unchanged
            done = min(start + batch_size, len(ids))
            self.stdout.write(f"Documents: {done}/{len(ids)} ({embedded} embedded)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {embedded} documents embedded, {unchanged} unchanged."
            )
        )
