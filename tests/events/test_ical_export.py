"""iCalendar out: RFC 5545 files that icalendar reads back; a lossless round trip."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from clearinghouse.core.models import Country
from clearinghouse.events.models import Event, EventLink
from clearinghouse.events.services import calendar_import
from clearinghouse.events.times import span
from tests.events.factories import EventFactory
from tests.factories import InstitutionFactory, IssueFactory

pytestmark = pytest.mark.django_db

TRANSLATED = ("title", "description", "date_note")
SUFFIXES = ("ar", "zh_hans", "en", "fr", "ru", "es")


def _snapshot() -> list[dict]:
    """Everything an event holds, except its database id and bookkeeping times."""
    rows = []
    for event in Event.objects.order_by("uid").prefetch_related(
        "languages", "links", "organizers", "issues"
    ):
        row = {
            name: getattr(event, name)
            for name in (
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
                "country_id",
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
        }
        for field in TRANSLATED:
            for suffix in SUFFIXES:
                row[f"{field}_{suffix}"] = getattr(event, f"{field}_{suffix}") or ""
        row["languages"] = sorted(r.language for r in event.languages.all())
        row["links"] = [
            (link.kind, link.title, link.url, link.language)
            for link in event.links.all().order_by("order", "pk")
        ]
        row["organizers"] = sorted(i.slug for i in event.organizers.all())
        row["issues"] = sorted(i.slug for i in event.issues.all())
        rows.append(row)
    return rows


@pytest.fixture
def varied(reference_data):
    """Events in Arabic, Chinese, English and French, in four time zones."""
    spam = IssueFactory(slug="spam", name="Spam")
    ipv6 = IssueFactory(slug="ipv6-deployment", name="IPv6, deployment; and more")
    itu = InstitutionFactory(slug="itu", name="ITU")
    senegal = Country.objects.get(iso2="SN")
    china = Country.objects.get(iso2="CN")
    start, end = span(
        start=datetime(2030, 3, 10, 9, 30, tzinfo=ZoneInfo("Africa/Dakar")),
        end=datetime(2030, 3, 10, 17, 0, tzinfo=ZoneInfo("Africa/Dakar")),
        all_day=False,
        zone_name="Africa/Dakar",
    )
    dakar = EventFactory(
        uid="dakar-2030@example.org",
        language="ar",
        title_en=None,
        title_ar="منتدى إدارة الإنترنت في داكار، الدورة الأولى؛ “الاختبار”",
        description_ar="سطر أول\nسطر ثانٍ، مع فاصلة؛ ونقطة.",
        description_fr="Première ligne\nDeuxième, avec \\ barre oblique inverse.",
        kind="workshop",
        status="announced",
        start=start,
        end=end,
        timezone="Africa/Dakar",
        venue="King Fahd Palace",
        city="Dakar",
        country=senegal,
        remote_url="https://meet.example.org/dakar?room=1&lang=ar",
        captioning=True,
        interpretation=True,
        url="https://example.org/dakar",
        registration_url="https://example.org/dakar/register",
        source_quote="Announced by the organizers.",
        languages=["ar", "fr"],
        issues=[spam, ipv6],
        organizers=[itu],
    )
    EventLink.objects.create(
        event=dakar,
        kind="agenda",
        title="جدول الأعمال, draft; v2",
        url="https://example.org/dakar/agenda.pdf",
        language="ar",
        order=0,
    )
    EventLink.objects.create(
        event=dakar,
        kind="report",
        title="Report",
        url="https://example.org/dakar/report",
        order=1,
    )
    start, end = span(
        start=date(2030, 4, 28),
        end=date(2030, 4, 30),
        all_day=True,
        zone_name="Asia/Shanghai",
    )
    EventFactory(
        uid="shanghai-2030@example.org",
        language="zh-hans",
        title_en="Internet governance week",
        title_zh_hans="互联网治理周：多语言与包容性",
        date_note_en="The organizers give the dates only.",
        kind="conference",
        status="confirmed",
        start=start,
        end=end,
        all_day=True,
        timezone="Asia/Shanghai",
        city="上海",
        country=china,
        online=True,
        languages=["zh-hans", "en"],
        issues=[ipv6],
    )
    EventFactory(
        uid="webinar-2030@example.org",
        title_en="Webinar on spam",
        title_fr="Webinaire sur le spam",
        title_es="Seminario web sobre el spam",
        title_ru="Вебинар о спаме",
        kind="webinar",
        start=datetime(2030, 6, 1, 14, tzinfo=UTC),
        end=datetime(2030, 6, 1, 15, 30, tzinfo=UTC),
        online=True,
        remote_url="https://meet.example.org/spam",
        languages=["en", "fr", "es", "ru"],
        issues=[spam],
    )
    start, end = span(
        start=datetime(2030, 11, 2, 22, 0, tzinfo=ZoneInfo("America/New_York")),
        end=datetime(2030, 11, 3, 2, 0, tzinfo=ZoneInfo("America/New_York")),
        all_day=False,
        zone_name="America/New_York",
    )
    EventFactory(
        uid="night-across-dst@example.org",
        title_en="A session across the end of daylight saving time",
        kind="working_group_meeting",
        status="postponed",
        start=start,
        end=end,
        timezone="America/New_York",
    )


def _parse(body: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(body)
    for component in calendar.walk():
        assert not component.errors, (component.name, component.errors)
    return calendar


def _lines_are_folded(body: bytes) -> None:
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # never cut inside a character
    assert b"\n" not in body.replace(b"\r\n", b"")


def test_calendar_export_is_rfc5545_with_a_vtimezone_for_every_zone(client, varied):
    response = client.get("/calendar.ics?since=2030-01-01")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    _lines_are_folded(body)
    calendar = _parse(body)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    zones = {tz.tz_name for tz in calendar.timezones}
    assert zones == {"Africa/Dakar", "America/New_York"}
    assert calendar.get_missing_tzids() == set()
    events = {str(e["UID"]): e for e in calendar.events}
    assert set(events) == {
        "dakar-2030@example.org",
        "shanghai-2030@example.org",
        "webinar-2030@example.org",
        "night-across-dst@example.org",
    }
    dakar = events["dakar-2030@example.org"]
    assert dakar.start == datetime(2030, 3, 10, 9, 30, tzinfo=ZoneInfo("Africa/Dakar"))
    assert dakar["DTSTART"].params["TZID"] == "Africa/Dakar"
    assert dakar["SUMMARY"].params["LANGUAGE"] == "ar"
    assert str(dakar["SUMMARY"]).startswith("منتدى إدارة الإنترنت")
    assert str(dakar["DESCRIPTION"]) == "سطر أول\nسطر ثانٍ، مع فاصلة؛ ونقطة."
    assert str(dakar["STATUS"]) == "TENTATIVE"
    shanghai = events["shanghai-2030@example.org"]
    assert shanghai.start == date(2030, 4, 28)
    assert shanghai.end == date(2030, 5, 1)  # DTEND of a date is exclusive
    assert str(shanghai["SUMMARY"]) == "互联网治理周：多语言与包容性"
    night = events["night-across-dst@example.org"]
    elapsed = night.end.astimezone(UTC) - night.start.astimezone(UTC)
    assert elapsed == timedelta(hours=5)  # the clock goes back an hour


def test_single_event_export_parses_and_names_the_event(client, varied):
    event = Event.objects.get(uid="shanghai-2030@example.org")
    response = client.get(f"/events/{event.pk}.ics")
    assert response.status_code == 200
    _lines_are_folded(response.content)
    calendar = _parse(response.content)
    assert [str(e["UID"]) for e in calendar.events] == ["shanghai-2030@example.org"]
    assert calendar.timezones == []  # dates need no VTIMEZONE


def test_export_reimports_into_a_fresh_database_with_nothing_lost(client, varied):
    before = _snapshot()
    body = client.get("/calendar.ics?since=2030-01-01").content
    Event.objects.all().delete()
    assert not Event.objects.exists()
    report = calendar_import(data=body, dry_run=False)
    assert report.counts == {"created": 4, "updated": 0, "unchanged": 0, "skipped": 0}
    assert not any(line.reasons for line in report.lines), report.lines
    assert _snapshot() == before
    again = calendar_import(data=body, dry_run=False)
    assert again.counts["unchanged"] == 4
    assert _snapshot() == before


def test_every_export_parses_whatever_the_filters(client, varied):
    urls = [
        "/calendar.ics",
        "/calendar.ics?since=2030-01-01&until=2030-12-31",
        "/calendar.ics?since=2030-01-01&language=ar",
        "/calendar.ics?since=2030-01-01&remote=captioning&remote=interpretation",
        "/calendar.ics?since=2031-01-01",
    ]
    urls += [f"/events/{pk}.ics" for pk in Event.objects.values_list("pk", flat=True)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _lines_are_folded(response.content)
        _parse(response.content)


def test_calendar_filters_select_the_same_events_as_the_pages(client, varied):
    body = client.get("/calendar.ics?since=2030-01-01&language=ar").content
    assert [str(e["UID"]) for e in _parse(body).events] == ["dakar-2030@example.org"]
    body = client.get("/calendar.ics?since=2030-01-01&issue=spam&kind=webinar").content
    assert [str(e["UID"]) for e in _parse(body).events] == ["webinar-2030@example.org"]


def test_unknown_filter_on_the_calendar_is_a_400(client, varied):
    response = client.get("/calendar.ics?language=de")
    assert response.status_code == 400
    assert "de is not one of the available choices" in response.content.decode()


def test_calendar_of_too_many_events_is_refused_with_advice(client, db, settings):
    from clearinghouse.events import selectors

    EventFactory.create_batch(3, start=datetime.now(UTC))
    original = selectors.CALENDAR_MAX_EVENTS
    selectors.CALENDAR_MAX_EVENTS = 2
    try:
        response = client.get("/calendar.ics")
    finally:
        selectors.CALENDAR_MAX_EVENTS = original
    assert response.status_code == 400
    assert "narrow the period" in response.content.decode()


def test_an_event_without_dates_has_no_calendar_entry(client, db):
    event = EventFactory(start=None, end=None, date_note_en="Not yet dated.")
    response = client.get(f"/events/{event.pk}.ics")
    assert response.status_code == 404
    assert "not known" in response.content.decode()
    assert client.get("/events/999999.ics").status_code == 404
