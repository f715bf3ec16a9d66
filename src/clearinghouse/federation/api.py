"""API router of federation: the partner sources and their health."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from clearinghouse.api.errors import ApiError
from clearinghouse.api.schemas import Detail
from clearinghouse.events.api import EventOut
from clearinghouse.events.api import _event_out as event_out
from clearinghouse.events.api import _events as events_with_relations
from clearinghouse.events.models import Event
from clearinghouse.library import selectors as library_selectors
from clearinghouse.library.api import DocumentOut, document_out

from . import selectors
from .changes import MAX_LIMIT, CursorError, changes_page
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


class ChangesQuery(Schema):
    since: str = Field(
        "", description="ISO 8601 date-time: records changed at or after it"
    )
    cursor: str = Field("", description="The `next` of the previous page")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


class DocumentChanges(Schema):
    until: datetime = Field(description="Upper bound of this listing")
    next: str | None = Field(description="Cursor of the next page; null at the end")
    items: list[DocumentOut]


class EventChanges(Schema):
    until: datetime = Field(description="Upper bound of this listing")
    next: str | None = Field(description="Cursor of the next page; null at the end")
    items: list[EventOut]


def _changes(queryset, params: ChangesQuery, kind: str):
    try:
        return changes_page(
            queryset,
            since=params.since,
            cursor=params.cursor,
            limit=params.limit,
            kind=kind,
        )
    except CursorError as error:
        raise ApiError(400, [str(error)]) from error


@router.get(
    "/changes/documents",
    response={200: DocumentChanges, 400: Detail},
    summary="Documents changed since a time",
)
def document_changes(request, params: Query[ChangesQuery]):
    """Published and withdrawn documents by time of change, oldest first, for
    another clearinghouse to harvest (`since` = the `until` of its last
    complete listing)."""
    page = _changes(library_selectors.documents_listed(), params, "documents")
    return {
        "until": page.until,
        "next": page.next,
        "items": [document_out(request, document) for document in page.items],
    }


@router.get(
    "/changes/events",
    response={200: EventChanges, 400: Detail},
    summary="Events changed since a time",
)
def event_changes(request, params: Query[ChangesQuery]):
    """Events by time of change, oldest first, for another clearinghouse."""
    page = _changes(events_with_relations(Event.objects.all()), params, "events")
    return {
        "until": page.until,
        "next": page.next,
        "items": [event_out(event, request) for event in page.items],
    }
