"""API router of federation: the partner sources and their health."""

from datetime import datetime

from ninja import Router, Schema

from clearinghouse.api.schemas import Detail

from . import selectors
from .models import Source

router = Router(tags=["federation"])


class LastRun(Schema):
    """The latest harvest of a source."""

    started_at: datetime
    finished_at: datetime | None
    status: str
    fetched: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    skipped: int
    errors: int


class SourceOut(Schema):
    """A partner source as the public sees it."""

    id: int
    name: str
    kind: str
    url: str
    institution: str
    institution_slug: str
    status: str
    interval_hours: int
    oai_set: str
    last_success_at: datetime | None
    next_harvest_at: datetime | None
    consecutive_failures: int
    page: str
    last_run: LastRun | None


def _out(source: Source, request) -> dict:
    run = getattr(source, "last_run", None)
    return {
        "id": source.pk,
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "institution": str(source.institution),
        "institution_slug": source.institution.slug,
        "status": source.status,
        "interval_hours": source.interval_hours,
        "oai_set": source.oai_set,
        "last_success_at": source.last_success_at,
        "next_harvest_at": source.next_harvest_at,
        "consecutive_failures": source.consecutive_failures,
        "page": request.build_absolute_uri(source.get_absolute_url()),
        "last_run": None
        if run is None
        else {
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "status": run.status,
            "fetched": run.fetched,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "deleted": run.deleted,
            "skipped": run.skipped,
            "errors": len(run.errors),
        },
    }


@router.get(
    "/sources",
    response={200: list[SourceOut], 400: Detail},
    summary="Partner sources and their health",
)
def list_sources(request):
    """The approved partner sources, as on the sources page."""
    return [_out(source, request) for source in selectors.source_list()]
