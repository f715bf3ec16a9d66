"""Reads of the events app: lists, the month view, one event, calendar rows.

Each function runs a fixed number of queries, whatever the number of events:
lists read their rows as plain values and attach related data with one query
per relation.
"""

import calendar as calendar_module
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet, Window
from django.urls import reverse
from django.utils.translation import get_language

from clearinghouse.actors.models import Institution
from clearinghouse.taxonomy.models import Issue

from . import times
from .filters import EventFilters
from .ical import ExportEvent
from .models import (
    Event,
    EventKind,
    EventLanguage,
    EventLink,
    EventStatus,
)

PAGE_SIZE = 50
UNDATED_LIMIT = 100
CALENDAR_MAX_EVENTS = 5000
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
_LANGUAGE_NAMES = dict(settings.LANGUAGES)


def fallback_chain() -> list[str]:
    """Languages to look in for a translated value: the active one, then the rest."""
    active = get_language() or settings.LANGUAGE_CODE
    if active not in LANGUAGE_CODES:
        active = settings.LANGUAGE_CODE
    chain = [active, "en", "fr", "es", "ru", "ar", "zh-hans"]
    return list(dict.fromkeys(chain))


def _columns(field_name: str, chain: list[str]) -> list[str]:
    return [f"{field_name}_{code.replace('-', '_')}" for code in chain]


def _pick(values: tuple, chain: list[str]) -> tuple[str, str]:
    """The first non-empty value and its language."""
    for value, code in zip(values, chain, strict=True):
        if value:
            return value, code
    return "", chain[0]


def translated(obj, field_name: str) -> tuple[str, str]:
    """(value, language) of a translated field of a model instance, with fallback."""
    chain = fallback_chain()
    return _pick(
        tuple(getattr(obj, column, "") for column in _columns(field_name, chain)),
        chain,
    )


@dataclass(slots=True)
class EventItem:
    """An event as a list or the month view shows it."""

    pk: int
    url: str
    title: str
    title_language: str
    kind: str
    status: str
    start: datetime | None
    end: datetime | None
    all_day: bool
    timezone: str
    city: str
    country: str
    online: bool
    remote: bool
    captioning: bool
    interpretation: bool
    date_note: str = ""
    when: times.When | None = None
    languages: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        """The kind in the active language."""
        return str(EventKind(self.kind).label)

    @property
    def status_label(self) -> str:
        """The status in the active language."""
        return str(EventStatus(self.status).label)

    @property
    def place(self) -> str:
        """City and country, as far as known."""
        return ", ".join(part for part in (self.city, self.country) if part)


def _url_maker():
    head, tail = reverse("events:event", kwargs={"pk": 999999999}).split("999999999")
    return lambda pk: f"{head}{pk}{tail}"


_ITEM_COLUMNS = (
    "pk",
    "kind",
    "status",
    "start",
    "end",
    "all_day",
    "timezone",
    "city",
    "online",
    "remote_url",
    "captioning",
    "interpretation",
)


def _item_columns(chain: list[str]) -> tuple[str, ...]:
    return (
        *_ITEM_COLUMNS,
        *_columns("title", chain),
        *_columns("date_note", chain),
        *_columns("country__name", chain),
    )


def _items(events: QuerySet, *, visitor: ZoneInfo, languages: bool = True) -> list:
    """Events as list items: one query for the rows, one for their languages."""
    chain = fallback_chain()
    # Plain columns, no modeltranslation rewriting: the fallback is applied
    # here, and rewriting costs more than the query on long lists.
    rows = events.rewrite(False).values_list(*_item_columns(chain))
    return _items_from_rows(rows, chain=chain, visitor=visitor, languages=languages)


def _items_from_rows(
    rows, *, chain: list[str], visitor: ZoneInfo, languages: bool
) -> list:
    n_titles = n_notes = len(chain)
    url = _url_maker()
    language = get_language() or settings.LANGUAGE_CODE
    items = []
    for row in rows:
        (pk, kind, status, start, end, all_day, zone_name, city, online) = row[:9]
        remote_url, captioning, interpretation = row[9:12]
        rest = row[12:]
        title, title_language = _pick(rest[:n_titles], chain)
        note, _lang = _pick(rest[n_titles : n_titles + n_notes], chain)
        country, _lang = _pick(rest[n_titles + n_notes :], chain)
        item = EventItem(
            pk=pk,
            url=url(pk),
            title=title,
            title_language=title_language,
            kind=kind,
            status=status,
            start=start,
            end=end,
            all_day=all_day,
            timezone=zone_name,
            city=city,
            country=country,
            online=online,
            remote=online or bool(remote_url),
            captioning=captioning,
            interpretation=interpretation,
            date_note=note,
        )
        if start is not None:
            item.when = times.describe(
                start=start,
                end=end,
                all_day=all_day,
                zone_name=zone_name,
                visitor=visitor,
                language=language,
            )
        items.append(item)
    if languages and items:
        by_event = defaultdict(list)
        for event_id, code in (
            EventLanguage.objects.filter(event_id__in=[item.pk for item in items])
            .order_by()
            .values_list("event_id", "language")
        ):
            by_event[event_id].append(code)
        order = {code: index for index, code in enumerate(LANGUAGE_CODES)}
        for item in items:
            item.languages = sorted(by_event.get(item.pk, ()), key=order.__getitem__)
    return items


@dataclass
class EventPage:
    """One page of upcoming or past events, and the undated ones that belong."""

    items: list[EventItem]
    count: int
    page: int
    pages: int
    undated: list[EventItem]
    undated_count: int

    @property
    def previous(self) -> int | None:
        """The previous page number, if any."""
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        """The next page number, if any."""
        return self.page + 1 if self.page < self.pages else None


def events_filtered(*, filters: EventFilters, visitor: ZoneInfo | None = None):
    """Every event that passes the filters (a queryset, not evaluated)."""
    return filters.apply(Event.objects.all(), zone=visitor)


def event_page(
    *,
    filters: EventFilters,
    when: str,
    now: datetime,
    page: int,
    visitor: ZoneInfo,
    per_page: int = PAGE_SIZE,
) -> EventPage:
    """Upcoming (`when="upcoming"`) or past events, a page at a time.

    Undated events are listed apart: those the source reports as held (or
    cancelled) with the past, the others with the upcoming ones.
    """
    events = events_filtered(filters=filters, visitor=visitor)
    dated = events.upcoming(now) if when == "upcoming" else events.past(now)
    items, count = None, None
    if filters.active:
        # Filtered, the count would repeat the page's scan of the table: one
        # query gives both (26 ms instead of 52 on 50,000 events). Unfiltered,
        # the count is answered from the index and the window costs more.
        chain = fallback_chain()
        offset = (page - 1) * per_page
        rows = list(
            dated.rewrite(False)
            .annotate(total_count=Window(Count("pk")))
            .values_list(*_item_columns(chain), "total_count")[
                offset : offset + per_page
            ]
        )
        if rows:
            count = rows[0][-1]
            items = _items_from_rows(
                [row[:-1] for row in rows], chain=chain, visitor=visitor, languages=True
            )
    if count is None:
        count = dated.count()
    pages = max(1, -(-count // per_page))
    page = min(page, pages)
    if items is None:
        offset = (page - 1) * per_page
        items = _items(dated[offset : offset + per_page], visitor=visitor)
    closed = [EventStatus.HELD, EventStatus.CANCELLED]
    undated_qs = events.undated()
    undated_qs = (
        undated_qs.exclude(status__in=closed)
        if when == "upcoming"
        else undated_qs.filter(status__in=closed)
    ).order_by("pk")
    undated_count = undated_qs.count() if page == 1 else 0
    undated = (
        _items(undated_qs[:UNDATED_LIMIT], visitor=visitor) if undated_count else []
    )
    return EventPage(
        items=items,
        count=count,
        page=page,
        pages=pages,
        undated=undated,
        undated_count=undated_count,
    )


@dataclass(slots=True)
class Day:
    """One day of the month view: its date and the events on it."""

    day: date
    in_month: bool
    count: int = 0
    items: list[EventItem] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The id of the day's section on the page."""
        return f"d-{self.day.isoformat()}"


@dataclass
class Month:
    """A month of events in the visitor's zone: a grid of weeks, a list of days."""

    year: int
    month: int
    first: date
    weeks: list[list[Day]]
    days: list[Day]
    count: int
    previous: date
    next: date


def month_build(
    *, filters: EventFilters, year: int, month: int, visitor: ZoneInfo
) -> Month:
    """Every event that meets the month (in the visitor's zone), by day.

    Two queries whatever the number of events: the rows, then their working
    languages. An event is listed under its first day in the month and
    counted on every day of the month it spans.
    """
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    month_start = datetime.combine(first, time(), visitor)
    month_end = datetime.combine(following, time(), visitor)
    events = (
        events_filtered(filters=filters, visitor=visitor)
        .filter(start__lt=month_end, end__gte=month_start)
        .order_by("start", "pk")
    )
    items = _items(events, visitor=visitor)
    grid_start = first - timedelta(days=first.weekday())
    last = following - timedelta(days=1)
    grid_end = last + timedelta(days=6 - last.weekday())
    days: dict[date, Day] = {}
    cursor = grid_start
    while cursor <= grid_end:
        days[cursor] = Day(day=cursor, in_month=cursor.month == month)
        cursor += timedelta(days=1)
    for item in items:
        first_day, last_day = _local_days(item, visitor)
        shown = max(first_day, first)
        days[shown].items.append(item)
        cursor = shown
        stop = min(last_day, last)
        while cursor <= stop:
            days[cursor].count += 1
            cursor += timedelta(days=1)
    ordered = list(days.values())
    return Month(
        year=year,
        month=month,
        first=first,
        weeks=[ordered[i : i + 7] for i in range(0, len(ordered), 7)],
        days=[day for day in ordered if day.in_month and day.items],
        count=len(items),
        previous=(first - timedelta(days=1)).replace(day=1),
        next=following,
    )


def _local_days(item: EventItem, visitor: ZoneInfo) -> tuple[date, date]:
    if item.all_day:
        return times.days(item.start, item.end, item.timezone)
    first = item.start.astimezone(visitor).date()
    end = item.end.astimezone(visitor)
    last = end.date()
    if end.time() == time() and item.end > item.start:
        last -= timedelta(days=1)
    return first, max(first, last)


def month_weekdays() -> list[tuple[str, str]]:
    """(abbreviation, full name) of the weekdays, Monday first, localized."""
    from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

    return [(str(WEEKDAYS_ABBR[i]), str(WEEKDAYS[i])) for i in range(7)]


def month_name(year: int, month: int) -> str:
    """“March 2026”, localized."""
    from django.utils.formats import date_format

    return date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")


def valid_month(year: int, month: int) -> bool:
    """Whether the month exists in the calendar we can show."""
    return (
        1 <= month <= 12
        and 1 <= year <= 9998
        and bool(calendar_module.monthrange(year, month))
    )


def event_detail(*, pk: int) -> Event | None:
    """One event with everything its page shows loaded."""
    return (
        Event.objects.select_related("country", "country__region", "country__subregion")
        .prefetch_related(
            Prefetch("organizers", queryset=Institution.objects.order_by("name")),
            Prefetch("issues", queryset=Issue.objects.select_related("area")),
            Prefetch("languages", queryset=EventLanguage.objects.order_by("language")),
            Prefetch("links", queryset=EventLink.objects.order_by("order", "pk")),
        )
        .filter(pk=pk)
        .first()
    )


def event_conflicts(
    event: Event, *, visitor: ZoneInfo, limit: int = 50
) -> list[EventItem]:
    """Other events on overlapping dates that share an issue with this one."""
    if event.start is None:
        return []
    issue_ids = [issue.pk for issue in event.issues.all()]
    if not issue_ids:
        return []
    through = Event.issues.through
    others = (
        Event.objects.overlapping(event.start, event.end)
        .exclude(pk=event.pk)
        .filter(
            pk__in=through.objects.filter(issue_id__in=issue_ids).values("event_id")
        )
        .order_by("start", "pk")
    )
    return _items(others[:limit], visitor=visitor, languages=False)


def _rows_by_event(model, fields: tuple[str, ...], ids: list[int]) -> list[tuple]:
    """(event id, *fields) of a table that belongs to events, for these events.

    Read with one plain statement per chunk of ids: building the ORM's IN
    lookup for 5,000 ids costs more than the query itself (about 45 ms
    against 15 ms, measured by bench/events.py). Table and column names come
    from the models; the ids are passed as parameters.
    """
    ops = connection.ops
    meta = model._meta
    table = ops.quote_name(meta.db_table)
    event = ops.quote_name(meta.get_field("event").column)
    columns = ", ".join(ops.quote_name(meta.get_field(f).column) for f in fields)
    chunk = connection.features.max_query_params or len(ids) or 1
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT {event}, {columns} FROM {table} "  # noqa: S608 - see docstring
                f"WHERE {event} IN ({marks})",
                part,
            )
            rows.extend(cursor.fetchall())
    return rows


_SCALAR = (
    "pk",
    "uid",
    "language",
    "kind",
    "status",
    "start",
    "end",
    "all_day",
    "timezone",
    "venue",
    "city",
    "country__iso2",
    "online",
    "remote_url",
    "captioning",
    "interpretation",
    "url",
    "registration_url",
    "updated_at",
    "source_quote",
    "source_url",
    "source_title",
)


def calendar_events(events: QuerySet, *, limit: int = CALENDAR_MAX_EVENTS) -> list:
    """Dated events as ExportEvent rows for a calendar file.

    Seven reads whatever the number of events (one per chunk of 999 ids on
    SQLite for the relations): the events, then their languages, links,
    issues and organizers, then the names of those issues and organizers.
    Rows are read as plain values: 5,000 model instances with translated-field
    descriptors cost more than writing the file.
    """
    chain = fallback_chain()
    suffixes = [code.replace("-", "_") for code in LANGUAGE_CODES]
    translated_columns = [
        f"{field}_{suffix}"
        for field in ("title", "description", "date_note")
        for suffix in suffixes
    ]
    rows = list(
        events.dated()
        .rewrite(False)
        .order_by("start", "pk")
        .values_list(*_SCALAR, *translated_columns, *_columns("country__name", chain))[
            :limit
        ]
    )
    ids = [row[0] for row in rows]
    languages: dict[int, list[str]] = defaultdict(list)
    links: dict[int, list[dict]] = defaultdict(list)
    issues: dict[int, list[int]] = defaultdict(list)
    organizers: dict[int, list[int]] = defaultdict(list)
    if ids:
        for event_id, code in sorted(_rows_by_event(EventLanguage, ("language",), ids)):
            languages[event_id].append(code)
        for event_id, _order, _pk, kind, title, url, language in sorted(
            _rows_by_event(
                EventLink, ("order", "id", "kind", "title", "url", "language"), ids
            )
        ):
            links[event_id].append(
                {"kind": kind, "title": title, "url": url, "language": language}
            )
        for event_id, issue_id in _rows_by_event(Event.issues.through, ("issue",), ids):
            issues[event_id].append(issue_id)
        for event_id, institution_id in _rows_by_event(
            Event.organizers.through, ("institution",), ids
        ):
            organizers[event_id].append(institution_id)
    issue_rows = {
        pk: (slug, next(filter(None, names), slug))
        for pk, slug, *names in Issue.objects.rewrite(False)
        .filter(pk__in={i for values in issues.values() for i in values})
        .values_list("pk", "slug", *_columns("name", chain))
    }
    institution_slugs = dict(
        Institution.objects.filter(
            pk__in={i for values in organizers.values() for i in values}
        ).values_list("pk", "slug")
    )
    n = len(_SCALAR)
    six = len(LANGUAGE_CODES)
    result = []
    for row in rows:
        (pk, uid, language, kind, status, start, end, all_day, zone_name) = row[:9]
        (venue, city, iso2, online, remote_url, captioning, interpretation) = row[9:16]
        (url, registration_url, updated_at) = row[16:19]
        (source_quote, source_url, source_title) = row[19:22]
        values = row[n:]
        titles = {c: v for c, v in zip(LANGUAGE_CODES, values[:six]) if v}  # noqa: B905
        descriptions = {
            c: v
            for c, v in zip(LANGUAGE_CODES, values[six : 2 * six])  # noqa: B905
            if v
        }
        notes = {
            c: v
            for c, v in zip(LANGUAGE_CODES, values[2 * six : 3 * six])  # noqa: B905
            if v
        }
        event_issues = sorted(issue_rows[i] for i in issues.get(pk, ()))
        result.append(
            ExportEvent(
                uid=uid,
                language=language,
                titles=titles,
                descriptions=descriptions,
                date_notes=notes,
                kind=kind,
                status=status,
                start=start,
                end=end,
                all_day=all_day,
                timezone=zone_name,
                venue=venue,
                city=city,
                country=iso2 or "",
                country_name=next(filter(None, values[3 * six :]), ""),
                online=online,
                remote_url=remote_url,
                captioning=captioning,
                interpretation=interpretation,
                url=url,
                registration_url=registration_url,
                languages=languages.get(pk, []),
                organizers=sorted(institution_slugs[i] for i in organizers.get(pk, ())),
                issues=[slug for slug, _name in event_issues],
                issue_names=[name for _slug, name in event_issues],
                links=links.get(pk, []),
                updated_at=updated_at,
                source_quote=source_quote,
                source_url=source_url,
                source_title=source_title,
            )
        )
    return result


def calendar_default_since(now: datetime) -> date:
    """The first day of /calendar.ics when no period is asked: a year ago."""
    return (now.astimezone(UTC) - timedelta(days=365)).date()


def language_name(code: str) -> str:
    """A working language's name in the active language."""
    return str(_LANGUAGE_NAMES.get(code, code))
