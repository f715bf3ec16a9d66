"""Benchmark bench/events: the compendium at 50,000 events on SQLite.

Targets (median server time, Django test client, no network):
- a filtered page of upcoming events (kind, working language, region) in
  ≤ 150 ms;
- the .ics export of 5,000 events in ≤ 1 s.
Also reported: the unfiltered upcoming page, an event's page, the API list,
the month view with 2,000 events in one month, and the number of SQL queries
of the month view (the same for 20 events as for 2,000).

Run: `make bench` or `.venv/bin/python -m bench events`. Results are printed
and written to bench/results/events.json.
"""

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import report, taxonomy_create
from bench.matrix import _setup_django, _time

EVENTS = 50_000
ISSUES, AREAS = 300, 12
MONTH_EVENTS = 2_000
EXPORT_EVENTS = 5_000
RUNS = 15
TARGETS = {"filtered_upcoming_ms": 150.0, "ics_5000_ms": 1000.0}
ZONES = [
    "UTC",
    "Africa/Dakar",
    "Asia/Shanghai",
    "Europe/Paris",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Africa/Nairobi",
    "Europe/Moscow",
]
FIRST = datetime(2020, 1, 1, 8, tzinfo=UTC)
STEP = timedelta(hours=2)  # 50,000 events over about eleven years
MONTH = (2040, 6)  # a month of its own, after the rest


def _populate(*, seed: int = 2004) -> None:
    """Fill the database with synthetic events, their languages and issues."""
    from clearinghouse.core.models import Country
    from clearinghouse.events.models import Event, EventKind, EventLanguage, EventStatus

    rng = random.Random(seed)
    areas, issues = taxonomy_create(AREAS, ISSUES)
    countries = list(Country.objects.values_list("pk", flat=True))
    kinds, statuses = EventKind.values, EventStatus.values
    languages = ["ar", "zh-hans", "en", "fr", "ru", "es"]

    def event(n: int, start: datetime) -> Event:
        hours = rng.choice([1, 2, 3, 8, 26, 50])
        return Event(
            uid=f"bench-{n}@bench.clearinghouse",
            title_en=f"Synthetic meeting number {n} on Internet governance",
            title_fr=f"Réunion synthétique numéro {n}" if n % 3 == 0 else None,
            description_en="A synthetic event. " * rng.choice([1, 5, 20]),
            kind=kinds[n % len(kinds)],
            status=statuses[n % len(statuses)],
            start=start,
            end=start + timedelta(hours=hours),
            all_day=n % 7 == 0,
            timezone=ZONES[n % len(ZONES)],
            city=f"City {n % 500}",
            country_id=rng.choice(countries) if n % 5 else None,
            online=n % 5 == 0,
            remote_url=f"https://meet.example.org/{n}" if n % 4 == 0 else "",
            captioning=n % 6 == 0,
            interpretation=n % 9 == 0,
            source_url="https://x.org/",
        )

    rows = [event(n, FIRST + n * STEP) for n in range(EVENTS)]
    month_start = datetime(*MONTH, 1, tzinfo=UTC)
    rows += [
        event(EVENTS + n, month_start + timedelta(minutes=21 * n))
        for n in range(MONTH_EVENTS)
    ]
    created = Event.objects.bulk_create(rows, batch_size=2000)
    EventLanguage.objects.bulk_create(
        (
            EventLanguage(event_id=e.pk, language=code)
            for e in created
            for code in rng.sample(languages, rng.choice([1, 1, 2, 3]))
        ),
        batch_size=5000,
    )
    through = Event.issues.through
    through.objects.bulk_create(
        (
            through(event_id=e.pk, issue_id=issue.pk)
            for e in created
            for issue in rng.sample(issues, rng.choice([1, 2, 3]))
        ),
        batch_size=5000,
    )


def _export_window() -> tuple[date, date, int]:
    """A period of the calendar that holds just under 5,000 events."""
    from clearinghouse.events.filters import EventFilters
    from clearinghouse.events.selectors import events_filtered

    since = date(2025, 1, 1)
    until = since + STEP * EXPORT_EVENTS // timedelta(days=1) * timedelta(days=1)
    while True:
        count = events_filtered(filters=EventFilters(since=since, until=until)).count()
        if count <= EXPORT_EVENTS:
            return since, until, count
        until -= timedelta(days=1)


def main() -> bool:
    """Build 50,000 events, measure, print; True when every target holds."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-events-"))
    _setup_django(tmp / "bench.sqlite3")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    client = Client()

    from clearinghouse.core.runtime import freeze_startup_objects
    from clearinghouse.events.models import Event

    client.get("/en/")
    freeze_startup_objects()

    # A small month first, to compare the month view's queries with 2,000.
    Event.objects.create(
        uid="small@bench",
        title_en="Small month",
        kind="workshop",
        start=datetime(2041, 1, 5, 9, tzinfo=UTC),
        end=datetime(2041, 1, 5, 10, tzinfo=UTC),
        source_url="https://x.org/",
    )
    with CaptureQueriesContext(connection) as captured:
        client.get("/en/events/month/2041/01/")
    small = len(captured)  # read now: the query log is a bounded deque

    started = time.perf_counter()
    _populate()
    populate_s = time.perf_counter() - started
    since, until, export_count = _export_window()

    filtered_url = "/en/events/?kind=workshop&language=fr&region=002&remote=link"
    upcoming, _q = _time(client, "/en/events/", RUNS)
    filtered, filtered_queries = _time(client, filtered_url, RUNS)
    past, _q = _time(client, "/en/events/past/?issue=issue-0042", RUNS)
    ics_url = f"/calendar.ics?since={since}&until={until}"
    ics, ics_queries = _time(client, ics_url, RUNS)
    detail_pk = Event.objects.filter(uid="bench-40000@bench.clearinghouse").get().pk
    detail, _q = _time(client, f"/en/events/{detail_pk}/", RUNS)
    api, _q = _time(client, "/api/v1/events?when=upcoming&language=ar&limit=50", RUNS)
    month_url = f"/en/events/month/{MONTH[0]}/{MONTH[1]:02d}/"
    month, month_queries = _time(client, month_url, 5)
    month_count = client.get(month_url).context["calendar"].count
    ics_bytes = len(client.get(ics_url).content)

    import icalendar

    parsed = icalendar.Calendar.from_ical(client.get(ics_url).content)
    assert len(parsed.events) == export_count

    def stats(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "median": round(statistics.median(values), 1),
            "p90": round(ordered[int(len(ordered) * 0.9)], 1),
        }

    results = {
        "size": {
            "events": EVENTS + MONTH_EVENTS,
            "issues": ISSUES,
            "zones": len(ZONES),
        },
        "runs": RUNS,
        "populate_s": round(populate_s, 1),
        "upcoming_ms": stats(upcoming),
        "filtered_upcoming_ms": stats(filtered),
        "filtered_url": filtered_url,
        "past_by_issue_ms": stats(past),
        "ics_5000_ms": stats(ics),
        "ics_events": export_count,
        "ics_kib": round(ics_bytes / 1024),
        "event_page_ms": stats(detail),
        "api_list_ms": stats(api),
        "month_2000_ms": stats(month),
        "month_events": month_count,
        "queries": {
            "filtered_upcoming": filtered_queries,
            "ics": ics_queries,
            "month_small": small,
            "month_2000": month_queries,
        },
    }
    ok = {
        "filtered_upcoming_ms": results["filtered_upcoming_ms"]["median"]
        <= TARGETS["filtered_upcoming_ms"],
        "ics_5000_ms": results["ics_5000_ms"]["median"] <= TARGETS["ics_5000_ms"],
        "month_queries": small == month_queries,
    }
    return report("events", results, ok)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
