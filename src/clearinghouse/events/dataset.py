"""Loading the events part of the Forum 2004 dataset (called by datasets.forum2004).

Meetings become events with a stable UID (`<slug>@forum2004.clearinghouse`);
the participation figures of the footnotes are attached to the Forum's own
event. Dates are never invented: a meeting the summary gives no date for is
an event without dates whose `date_note` says what the summary does say.
"""

from datetime import date
from decimal import Decimal

from clearinghouse.core.languages import translated_values
from clearinghouse.datasets.context import LoadContext

from . import services, times
from .models import Dimension, EventStatus, Population

FORUM_SLUG = "global-forum-internet-governance-2004"
UID_DOMAIN = "forum2004.clearinghouse"
# The summary reports on the Forum of 25–26 March 2004: meetings that ended by
# then had been held; later ones had been announced.
SUMMARY_DATE = date(2004, 3, 26)
# Undated meetings whose outcome the summary reports ("took place", "the
# outcome of the recent meeting"): held, though the summary gives no date.
REPORTED_AS_HELD = {
    "wsis-online-forum-internet-governance",
    "eu-common-position-meeting-2004",
}
# The time zones of the cities the dataset names (geography, not dates). A
# meeting without a place is stated in UTC.
CITY_ZONES = {
    ("US", "New York"): "America/New_York",
    ("CH", "Geneva"): "Europe/Zurich",
    ("FR", "Paris"): "Europe/Paris",
    ("IT", "Rome"): "Europe/Rome",
    ("TN", "Tunis"): "Africa/Tunis",
}
# participation.yaml's populations, as the events app names them.
POPULATIONS = {
    "forum_participants": Population.PARTICIPANTS,
    "government_participants": Population.GOVERNMENT_PARTICIPANTS,
    "breakout_officials": Population.OFFICIALS,
}


def uid_for(slug: str) -> str:
    """The iCalendar UID of a dataset meeting."""
    return f"{slug}@{UID_DOMAIN}"


def _status(record: dict) -> str:
    end = record.get("end")
    if end is not None:
        return EventStatus.HELD if end <= SUMMARY_DATE else EventStatus.ANNOUNCED
    if record["slug"] in REPORTED_AS_HELD:
        return EventStatus.HELD
    return EventStatus.ANNOUNCED


def _times(record: dict) -> dict:
    start, end = record.get("start"), record.get("end")
    zone = CITY_ZONES.get((record.get("country"), record.get("city")), "UTC")
    if start is None or end is None:
        return {"start": None, "end": None, "all_day": False, "timezone": zone}
    first, after = times.span(start=start, end=end, all_day=True, zone_name=zone)
    return {"start": first, "end": after, "all_day": True, "timezone": zone}


def forum2004_load(context: LoadContext) -> None:
    """Create or update this app's records of the Forum 2004 dataset."""
    events = {}
    for record in context.records["meetings"]:
        context.where.current = f"meetings.yaml {record['slug']}"
        note = str(record.get("date_note") or "").strip()
        events[record["slug"]] = services.event_upsert(
            uid=uid_for(record["slug"]),
            values={
                "language": "en",
                "kind": record["kind"],
                "status": _status(record),
                **_times(record),
                "city": str(record.get("city") or ""),
                "country_id": context.countries.get(record.get("country") or ""),
                "online": bool(record.get("online")),
                "url": str(record.get("url") or ""),
                **context.translated(record, "title", "title"),
                **translated_values("date_note", {"en": note}),
                **context.source_values(record),
            },
            organizers=[
                context.institutions[slug] for slug in record.get("organizers") or []
            ],
            issues=[context.issues[slug] for slug in record.get("issues") or []],
            report=context.report,
        )
    forum = events.get(FORUM_SLUG)
    if forum is None:
        return
    figures = {}
    for order, record in _parents_first(context.records["participation"]):
        context.where.current = f"participation.yaml {record['slug']}"
        dimension = record["dimension"]
        parent = figures.get(record.get("share_of")) if record.get("share_of") else None
        figures[record["slug"]] = services.participation_figure_upsert(
            event=forum,
            key=record["slug"],
            values={
                "order": order,
                "population": POPULATIONS[record["population"]],
                "dimension": dimension,
                "category": ""
                if dimension == Dimension.TOTAL
                else str(record.get("category") or ""),
                "value": Decimal(str(record["value"])),
                "unit": record["unit"],
                "qualifier": str(record.get("qualifier") or ""),
                "share_of_id": parent.pk if parent else None,
                **context.translated(record, "label", "label"),
                **context.source_values(record),
            },
            report=context.report,
        )


def _parents_first(records: list[dict]) -> list[tuple[int, dict]]:
    """Figures in file order, moved after the figure they are a share of."""
    placed: list[tuple[int, dict]] = []
    done: set[str] = set()
    pending = list(enumerate(records))
    while pending:
        waiting = []
        for order, record in pending:
            parent = record.get("share_of")
            if (
                not parent
                or parent in done
                or parent not in {r.get("slug") for r in records}
            ):
                placed.append((order, record))
                done.add(record["slug"])
            else:
                waiting.append((order, record))
        if len(waiting) == len(pending):
            # A cycle: place the rest as they are; the model refuses bad links.
            placed.extend(waiting)
            break
        pending = waiting
    return placed
