"""Reads of federation: sources with their health, a source's log."""

from django.db.models import Prefetch, QuerySet

from clearinghouse.core.accounts import is_secretariat

from .models import HarvestRun, Source, SourceStatus

LOG_SIZE = 30


def source_list() -> list[Source]:
    """Approved sources with their latest run, for the public list."""
    latest = HarvestRun.objects.filter(dry_run=False).order_by("-started_at", "-pk")
    sources = list(
        Source.objects.exclude(status=SourceStatus.PROPOSED)
        .select_related("institution")
        .prefetch_related(Prefetch("runs", queryset=latest, to_attr="recent_runs"))
        .order_by("name", "pk")
    )
    for source in sources:
        source.last_run = source.recent_runs[0] if source.recent_runs else None
    return sources


def source_visible(*, pk: int, user) -> Source | None:
    """A source the person may open: approved ones, or any for the secretariat."""
    sources: QuerySet = Source.objects.select_related("institution")
    if not can_see_log(user=user, source=None):
        sources = sources.exclude(status=SourceStatus.PROPOSED)
    return sources.filter(pk=pk).first() or (
        Source.objects.filter(pk=pk, proposed_by_id=user.pk).first()
        if user.is_authenticated
        else None
    )


def can_see_log(*, user, source: Source | None) -> bool:
    """The full log (with errors) is for the secretariat and the source's owner."""
    if is_secretariat(user):
        return True
    return bool(
        source is not None
        and user.is_authenticated
        and source.proposed_by_id == user.pk
    )


def source_runs(*, source: Source, limit: int = LOG_SIZE) -> list[HarvestRun]:
    """The source's latest runs, newest first."""
    return list(source.runs.order_by("-started_at", "-pk")[:limit])
