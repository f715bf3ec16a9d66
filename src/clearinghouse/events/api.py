"""API router of the events app: events, their participation, and writes.

The list takes the same query parameters as the pages and the calendar file
and validates them with the same form, so it returns the same events.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clearinghouse.actors.models import Institution
from clearinghouse.api.errors import (
    ApiError,
    not_found,
    write_errors,
)
from clearinghouse.api.schemas import Detail, Source, source_of
from clearinghouse.core.api_helpers import translations
from clearinghouse.core.models import Country
from clearinghouse.security.auth import write_auth
from clearinghouse.security.permissions import require_can_edit
from clearinghouse.security.services import audit_request
from clearinghouse.taxonomy.models import Issue

from . import selectors, services, times
from .filters import EventFilterForm
from .models import (
    Event,
    EventKind,
    EventOfficial,
    EventStatus,
    LinkKind,
    ParticipationFigure,
    validate_timezone,
)
from .participation import figure_text

router = Router(tags=["events"])

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
MAX_LIMIT = 500


class EventQuery(Schema):
    issue: list[str] = Field(default_factory=list, description="Issue slugs")
    area: list[str] = Field(default_factory=list, description="Area slugs")
    region: list[str] = Field(default_factory=list, description="UN M49 region codes")
    country: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2")
    kind: list[str] = Field(default_factory=list, description="Event kinds")
    status: list[str] = Field(default_factory=list, description="Event statuses")
    language: list[str] = Field(default_factory=list, description="Working languages")
    remote: list[str] = Field(
        default_factory=list, description="link, captioning, interpretation (all)"
    )
    since: str = Field("", description="Events ending on or after this date")
    until: str = Field("", description="Events starting on or before this date")
    tz: str = Field("", description="IANA zone in which since and until are dates")
    when: str = Field(
        "all",
        pattern="^(all|upcoming|past)$",
        description="all (dated and undated), upcoming or past",
    )
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)


class LinkSchema(Schema):
    kind: LinkKind
    title: str = Field(..., min_length=1, max_length=300)
    url: str = Field(..., max_length=500)
    language: str = ""


class Remote(Schema):
    url: str
    captioning: bool
    interpretation: bool


class Dates(Schema):
    first: date
    last: date


class EventOut(Schema):
    id: int
    uid: str
    language: str
    title: str
    titles: dict[str, str]
    description: str
    descriptions: dict[str, str]
    kind: str
    status: str
    start: datetime | None = Field(description="UTC")
    end: datetime | None = Field(description="UTC; for all-day events, exclusive")
    all_day: bool
    dates: Dates | None = Field(description="First and last day of an all-day event")
    timezone: str
    date_note: str
    venue: str
    city: str
    country: str | None
    online: bool
    remote: Remote
    languages: list[str]
    organizers: list[str]
    issues: list[str]
    links: list[LinkSchema]
    url: str
    registration_url: str
    page: str
    ics: str | None
    source: Source


class EventList(Schema):
    count: int
    limit: int
    offset: int
    items: list[EventOut]


class FigureOut(Schema):
    key: str
    population: str
    dimension: str
    category: str
    country: str | None
    region: str | None
    value: float
    unit: str
    qualifier: str
    text: str
    share_of: str | None
    label: str
    labels: dict[str, str]
    source: Source


class OfficialOut(Schema):
    role: str
    name: str
    session: str
    stakeholder_group: str
    country: str | None
    development_status: str | None


class ParticipationOut(Schema):
    event: int
    figures: list[FigureOut]
    officials: list[OfficialOut]


class EventIn(Schema):
    uid: str = Field("", max_length=255, description="Generated when empty")
    language: str = Field("en", description="Language of title and description")
    title: str = Field(..., min_length=1, max_length=300)
    titles: dict[str, str] = Field(default_factory=dict, description="Translations")
    description: str = Field("", max_length=10000)
    descriptions: dict[str, str] = Field(default_factory=dict)
    kind: EventKind
    status: EventStatus = EventStatus.ANNOUNCED
    start: datetime | None = Field(
        None, description="In the event's zone when naive; a date for all-day events"
    )
    end: datetime | None = Field(
        None, description="For an all-day event, its last day (inclusive)"
    )
    all_day: bool = False
    timezone: str = Field("UTC", max_length=64)
    date_note: str = Field("", max_length=500)
    venue: str = Field("", max_length=300)
    city: str = Field("", max_length=120)
    country: str | None = Field(None, max_length=2)
    online: bool = False
    remote_url: str = Field("", max_length=500)
    captioning: bool = False
    interpretation: bool = False
    url: str = Field("", max_length=500)
    registration_url: str = Field("", max_length=500)
    languages: list[str] = Field(default_factory=list)
    organizers: list[str] = Field(default_factory=list)
    issues: list[str] = Field(default_factory=list)
    links: list[LinkSchema] = Field(default_factory=list)
    source_quote: str = Field("", max_length=4000)
    source_url: str = Field("", max_length=500)
    source_title: str = Field("", max_length=500)


class EventPatch(Schema):
    language: str | None = None
    title: str | None = Field(None, min_length=1, max_length=300)
    titles: dict[str, str] | None = None
    description: str | None = Field(None, max_length=10000)
    descriptions: dict[str, str] | None = None
    kind: EventKind | None = None
    status: EventStatus | None = None
    start: datetime | None = None
    end: datetime | None = None
    all_day: bool | None = None
    timezone: str | None = Field(None, max_length=64)
    date_note: str | None = Field(None, max_length=500)
    venue: str | None = Field(None, max_length=300)
    city: str | None = Field(None, max_length=120)
    country: str | None = Field(None, max_length=2)
    online: bool | None = None
    remote_url: str | None = Field(None, max_length=500)
    captioning: bool | None = None
    interpretation: bool | None = None
    url: str | None = Field(None, max_length=500)
    registration_url: str | None = Field(None, max_length=500)
    languages: list[str] | None = None
    organizers: list[str] | None = None
    issues: list[str] | None = None
    links: list[LinkSchema] | None = None
    source_quote: str | None = Field(None, max_length=4000)
    source_url: str | None = Field(None, max_length=500)
    source_title: str | None = Field(None, max_length=500)


def _form_data(query: EventQuery) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in query.dict(exclude={"limit", "offset", "when"}).items():
        if isinstance(values, list):
            data.setlist(key, [str(value) for value in values])
        elif values:
            data[key] = str(values)
    return data


def _suffix(code: str) -> str:
    return code.replace("-", "_")


def _event_out(event: Event, request) -> dict:
    dates = None
    if event.start is not None and event.all_day:
        first, last = times.days(event.start, event.end, event.timezone)
        dates = {"first": first, "last": last}
    title, _lang = selectors.translated(event, "title")
    description, _lang = selectors.translated(event, "description")
    date_note, _lang = selectors.translated(event, "date_note")
    return {
        "id": event.pk,
        "uid": event.uid,
        "language": event.language,
        "title": title,
        "titles": translations(event, "title"),
        "description": description,
        "descriptions": translations(event, "description"),
        "kind": event.kind,
        "status": event.status,
        "start": event.start,
        "end": event.end,
        "all_day": event.all_day,
        "dates": dates,
        "timezone": event.timezone,
        "date_note": date_note,
        "venue": event.venue,
        "city": event.city,
        "country": event.country.iso2 if event.country else None,
        "online": event.online,
        "remote": {
            "url": event.remote_url,
            "captioning": event.captioning,
            "interpretation": event.interpretation,
        },
        "languages": sorted(
            (row.language for row in event.languages.all()), key=LANGUAGE_CODES.index
        ),
        "organizers": sorted(i.slug for i in event.organizers.all()),
        "issues": sorted(i.slug for i in event.issues.all()),
        "links": [
            {
                "kind": link.kind,
                "title": link.title,
                "url": link.url,
                "language": link.language,
            }
            for link in event.links.all()
        ],
        "url": event.url,
        "registration_url": event.registration_url,
        "page": request.build_absolute_uri(event.get_absolute_url()),
        "ics": request.build_absolute_uri(f"/events/{event.pk}.ics")
        if event.start is not None
        else None,
        "source": source_of(event),
    }


def _events(queryset):
    return queryset.select_related("country").prefetch_related(
        "languages", "organizers", "issues", "links"
    )


def _event(pk: int) -> Event:
    event = _events(Event.objects.filter(pk=pk)).first()
    if event is None:
        raise not_found(_("event"), str(pk))
    return event


@router.get("/events", response={200: EventList, 400: Detail}, summary="Events")
def list_events(request, filters: Query[EventQuery]):
    """The events that pass the filters, as the pages and /calendar.ics select them.

    Upcoming events soonest first, past ones latest first; with `when=all`,
    dated events by start, then undated ones.
    """
    form = EventFilterForm(_form_data(filters))
    if not form.is_valid():
        raise ApiError(400, form.error_messages())
    filters_ = form.filters()
    events = selectors.events_filtered(
        filters=filters_, visitor=times.zone(filters_.tz) if filters_.tz else None
    )
    now = django_timezone.now()
    if filters.when == "upcoming":
        events = events.upcoming(now)
    elif filters.when == "past":
        events = events.past(now)
    else:
        # Undated events last, on SQLite and PostgreSQL alike.
        events = events.order_by(F("start").asc(nulls_last=True), "pk")
    count = events.count()
    page = _events(events[filters.offset : filters.offset + filters.limit])
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_event_out(event, request) for event in page],
    }


@router.get("/events/{event_id}", response={200: EventOut, 404: Detail})
def get_event(request, event_id: int):
    """One event with its translations, relations and links."""
    return _event_out(_event(event_id), request)


@router.get(
    "/events/{event_id}/participation",
    response={200: ParticipationOut, 404: Detail},
    summary="Participation in an event",
)
def get_participation(request, event_id: int):
    """Participation figures as the source reports them, and the officials."""
    if not Event.objects.filter(pk=event_id).exists():
        raise not_found(_("event"), str(event_id))
    figures = ParticipationFigure.objects.filter(event_id=event_id).select_related(
        "country", "region", "share_of"
    )
    officials = EventOfficial.objects.filter(event_id=event_id).select_related(
        "country"
    )
    return {
        "event": event_id,
        "figures": [
            {
                "key": figure.key,
                "population": figure.population,
                "dimension": figure.dimension,
                "category": figure.category,
                "country": figure.country.iso2 if figure.country else None,
                "region": figure.region_id,
                "value": float(figure.value),
                "unit": figure.unit,
                "qualifier": figure.qualifier,
                "text": figure_text(figure.value, figure.unit, figure.qualifier),
                "share_of": figure.share_of.key if figure.share_of else None,
                "label": selectors.translated(figure, "label")[0],
                "labels": translations(figure, "label"),
                "source": source_of(figure),
            }
            for figure in figures
        ],
        "officials": [
            {
                "role": official.role,
                "name": official.name,
                "session": official.session,
                "stakeholder_group": official.stakeholder_group,
                "country": official.country.iso2 if official.country else None,
                "development_status": (
                    official.country.development_status or None
                    if official.country
                    else None
                ),
            }
            for official in officials
        ],
    }


def _language(code: str, what: str) -> str:
    if code not in LANGUAGE_CODES:
        raise ApiError(
            400,
            [
                _("%(what)s: “%(code)s” is not one of %(codes)s.")
                % {"what": what, "code": code[:20], "codes": ", ".join(LANGUAGE_CODES)}
            ],
        )
    return code


def _translated_values(
    field: str, original: str, text: str | None, others: dict[str, str] | None
) -> dict:
    values = {}
    for code, value in (others or {}).items():
        values[f"{field}_{_suffix(_language(code, field))}"] = value
    if text is not None:
        values[f"{field}_{_suffix(original)}"] = text
    return values


def _references(payload: dict) -> dict:
    """Slugs and codes of the payload resolved to records, or a 400 naming them."""
    errors, resolved = [], {}
    if payload.get("country"):
        country = Country.objects.filter(iso2=payload["country"].upper()).first()
        if country is None:
            errors.append(
                _("Unknown country “%(code)s”.") % {"code": payload["country"][:10]}
            )
        resolved["country_id"] = country.pk if country else None
    elif "country" in payload:
        resolved["country_id"] = None
    for key, model, label in (
        ("organizers", Institution, _("institution")),
        ("issues", Issue, _("issue")),
    ):
        if payload.get(key) is None:
            continue
        found = {obj.slug: obj for obj in model.objects.filter(slug__in=payload[key])}
        for slug in payload[key]:
            if slug not in found:
                errors.append(
                    _("Unknown %(what)s “%(slug)s”.")
                    % {"what": label, "slug": slug[:80]}
                )
        resolved[key] = list(found.values())
    if payload.get("languages") is not None:
        resolved["languages"] = [
            _language(code, _("languages")) for code in payload["languages"]
        ]
    if errors:
        raise ApiError(400, errors)
    return resolved


_PLAIN = (
    "kind",
    "status",
    "all_day",
    "venue",
    "city",
    "online",
    "remote_url",
    "captioning",
    "interpretation",
    "url",
    "registration_url",
    "source_quote",
    "source_url",
    "source_title",
)


def _times(
    *, start, end, all_day: bool, zone_name: str
) -> tuple[datetime | None, datetime | None]:
    try:
        validate_timezone(zone_name)
    except ValidationError as error:
        raise ApiError(400, [f"timezone: {m}" for m in error.messages]) from error
    if (start is None) != (end is None):
        raise ApiError(400, [_("Give both the start and the end, or neither.")])
    if start is None:
        return None, None
    return times.span(start=start, end=end, all_day=all_day, zone_name=zone_name)


def _values(payload: dict, *, event: Event | None = None) -> dict:
    original = _language(
        payload.get("language") or (event.language if event else "en"), _("language")
    )
    values = {key: payload[key] for key in _PLAIN if key in payload}
    if payload.get("language"):
        values["language"] = original
    if payload.get("kind") is not None:
        values["kind"] = str(payload["kind"])
    if payload.get("status") is not None:
        values["status"] = str(payload["status"])
    values |= _translated_values(
        "title", original, payload.get("title"), payload.get("titles")
    )
    values |= _translated_values(
        "description", original, payload.get("description"), payload.get("descriptions")
    )
    if "date_note" in payload:
        values[f"date_note_{_suffix(original)}"] = payload["date_note"] or ""
    timing = {"start", "end", "all_day", "timezone"} & set(payload)
    if event is None or timing:
        zone_name = payload.get("timezone") or (event.timezone if event else "UTC")
        all_day = payload.get("all_day")
        if all_day is None:
            all_day = event.all_day if event else False
        start, end = payload.get("start"), payload.get("end")
        if event is not None and event.start is not None:
            if all_day and event.all_day:
                first, last = times.days(event.start, event.end, event.timezone)
            else:
                first, last = event.start, event.end
            start = start if "start" in payload else first
            end = end if "end" in payload else last
        values["start"], values["end"] = _times(
            start=start, end=end, all_day=all_day, zone_name=zone_name
        )
        values["timezone"] = zone_name
        values["all_day"] = all_day
    return values


def _links(payload: dict) -> list[dict] | None:
    if payload.get("links") is None:
        return None
    links = []
    for link in payload["links"]:
        language = link.get("language") or ""
        if language:
            _language(language, _("links"))
        links.append({**link, "kind": str(link["kind"]), "language": language})
    return links


@router.post(
    "/events",
    response={201: EventOut, 400: Detail, 401: Detail, 403: Detail},
    auth=write_auth,
)
def create_event(request, data: EventIn):
    """Create an event (secretariat, or a focal point of an organizer).

    Times are read in the event's zone."""
    payload = data.dict()
    references = _references(payload)
    require_can_edit(request, institutions=references.get("organizers", []))
    values = _values(payload)
    values["country_id"] = references.get("country_id")
    with write_errors(_("An event with this UID exists already.")):
        event = services.event_create(
            uid=payload["uid"],
            values=values,
            languages=references.get("languages", []),
            links=_links(payload) or [],
            organizers=references.get("organizers", []),
            issues=references.get("issues", []),
        )
    audit_request(request, action="event.create", target=event)
    return Status(201, _event_out(_event(event.pk), request))


@router.patch(
    "/events/{event_id}",
    response={200: EventOut, 400: Detail, 401: Detail, 403: Detail, 404: Detail},
    auth=write_auth,
)
def update_event(request, event_id: int, data: EventPatch):
    """Change the given fields of an event (secretariat).

    Changing only the time zone keeps the moments of a timed event and the
    dates of an all-day one.
    """
    event = _event(event_id)
    require_can_edit(request, event)
    payload = data.dict(exclude_unset=True)
    references = _references(payload)
    if references.get("organizers") is not None:
        # A focal point may not hand the event to institutions not its own.
        require_can_edit(request, institutions=references["organizers"])
    values = _values(payload, event=event)
    if "country_id" in references:
        values["country_id"] = references["country_id"]
    with write_errors(_("An event with this UID exists already.")):
        services.event_update(
            event=event,
            values=values,
            languages=references.get("languages"),
            links=_links(payload),
            organizers=references.get("organizers"),
            issues=references.get("issues"),
        )
    audit_request(request, action="event.update", target=event)
    return _event_out(_event(event_id), request)


@router.delete(
    "/events/{event_id}",
    response={204: None, 401: Detail, 403: Detail, 404: Detail},
    auth=write_auth,
)
def delete_event(request, event_id: int):
    """Remove an event (secretariat); its public history stays."""
    event = _event(event_id)
    require_can_edit(request, event)
    audit_request(request, action="event.delete", target=event)
    services.event_delete(event=event)
    return Status(204, None)
