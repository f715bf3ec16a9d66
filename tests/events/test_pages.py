"""The events pages: lists, filters, time zones, the month view, one event."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clearinghouse.core.models import Country
from clearinghouse.events.models import Event, EventLanguage
from clearinghouse.events.times import span
from tests.events.factories import EventFactory
from tests.factories import AreaFactory, IssueFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [item.title for item in response.context["page"].items]


@pytest.fixture
def calendar(reference_data):
    """Events past, upcoming and undated, in several places and languages."""
    now = timezone.now()
    security = AreaFactory(slug="security")
    spam = IssueFactory(slug="spam", area=security)
    ipv6 = IssueFactory(slug="ipv6", area=AreaFactory(slug="infrastructure"))
    EventFactory(
        title_en="Dakar workshop",
        kind="workshop",
        start=now + timedelta(days=10),
        end=now + timedelta(days=10, hours=6),
        timezone="Africa/Dakar",
        country=Country.objects.get(iso2="SN"),
        city="Dakar",
        languages=["fr", "ar"],
        issues=[spam],
        captioning=True,
        remote_url="https://meet.example.org/dakar",
    )
    EventFactory(
        title_en="Shanghai summit",
        kind="summit",
        start=now + timedelta(days=20),
        end=now + timedelta(days=21),
        timezone="Asia/Shanghai",
        country=Country.objects.get(iso2="CN"),
        languages=["zh-hans", "en"],
        issues=[ipv6],
        interpretation=True,
    )
    EventFactory(
        title_en="Online webinar",
        kind="webinar",
        start=now + timedelta(days=5),
        end=now + timedelta(days=5, hours=1),
        online=True,
        languages=["en"],
        captioning=True,
        interpretation=True,
    )
    EventFactory(
        title_en="Geneva meeting of old",
        kind="consultation_meeting",
        status="held",
        start=now - timedelta(days=30),
        end=now - timedelta(days=29),
        country=Country.objects.get(iso2="CH"),
        issues=[spam],
    )
    EventFactory(
        title_en="Tunis phase",
        kind="summit",
        status="announced",
        start=None,
        end=None,
        date_note_en="The summary gives no date.",
    )
    EventFactory(
        title_en="A recent online forum",
        status="held",
        start=None,
        end=None,
        date_note_en="Before the Forum.",
    )


def test_upcoming_lists_events_not_yet_over_soonest_first(client, calendar):
    response = client.get("/en/events/")
    assert response.status_code == 200
    assert _titles(response) == ["Online webinar", "Dakar workshop", "Shanghai summit"]
    undated = [item.title for item in response.context["page"].undated]
    assert undated == ["Tunis phase"]
    assert "The summary gives no date." in response.content.decode()


def test_past_lists_events_over_latest_first(client, calendar):
    response = client.get("/en/events/past/")
    assert _titles(response) == ["Geneva meeting of old"]
    assert [i.title for i in response.context["page"].undated] == [
        "A recent online forum"
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("issue=spam", ["Dakar workshop"]),
        ("area=infrastructure", ["Shanghai summit"]),
        ("region=002", ["Dakar workshop"]),  # Africa, through Senegal
        ("region=030", ["Shanghai summit"]),  # Eastern Asia
        ("country=SN&country=CN", ["Dakar workshop", "Shanghai summit"]),
        ("kind=webinar&kind=summit", ["Online webinar", "Shanghai summit"]),
        ("language=fr", ["Dakar workshop"]),
        ("language=zh-hans&language=ar", ["Dakar workshop", "Shanghai summit"]),
        ("remote=link", ["Online webinar", "Dakar workshop"]),
        ("remote=captioning", ["Online webinar", "Dakar workshop"]),
        ("remote=captioning&remote=interpretation", ["Online webinar"]),
        ("status=confirmed&kind=workshop", ["Dakar workshop"]),
    ],
)
def test_filters_select_events(client, calendar, query, expected):
    response = client.get(f"/en/events/?{query}")
    assert response.status_code == 200
    assert _titles(response) == expected


def test_period_filters_take_dates(client, calendar):
    soon = (timezone.now() + timedelta(days=15)).date().isoformat()
    response = client.get(f"/en/events/?since={soon}")
    assert _titles(response) == ["Shanghai summit"]
    assert response.context["page"].undated == []


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("issue=nothing", "nothing is not one of the available choices"),
        ("area=nowhere", "nowhere is not one of the available choices"),
        ("region=999", "999 is not one of the available choices"),
        ("country=XX", "XX is not one of the available choices"),
        ("kind=party", "party is not one of the available choices"),
        ("language=de", "de is not one of the available choices"),
        ("remote=telepathy", "telepathy is not one of the available choices"),
        ("since=yesterday", "Enter a valid date"),
        ("since=2030-02-01&until=2030-01-01", "before its start"),
        ("page=0", "greater than or equal to 1"),
        ("tz=Mars/Olympus", "“Mars/Olympus” is not a time zone name"),
        ("tz=" + "x" * 100, "at most 64 characters"),
    ],
)
def test_bad_query_is_a_400_that_says_what_is_wrong(client, calendar, query, needle):
    for url in ("/en/events/", "/en/events/past/", "/en/events/month/2030/01/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, url
        assert needle in response.content.decode(), url


def test_bad_query_is_explained_in_the_visitors_language(client, calendar):
    response = client.get("/fr/events/?kind=fete")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'lang="fr"' in html and "Sélectionnez un choix valide" in html


def test_times_are_in_the_visitors_zone_with_the_events_own_zone(client, db):
    start, end = span(
        start=datetime(2030, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        end=datetime(2030, 6, 2, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        all_day=False,
        zone_name="Asia/Shanghai",
    )
    event = EventFactory(start=start, end=end, timezone="Asia/Shanghai")
    html = client.get(f"/en/events/{event.pk}/?tz=Africa/Dakar").content.decode()
    assert "June 2, 2030, 1 a.m.–9 a.m. (Africa/Dakar, UTC+00:00)" in html
    assert "June 2, 2030, 9 a.m.–5 p.m. (Asia/Shanghai, UTC+08:00)" in html
    html_fr = client.get(f"/fr/events/{event.pk}/?tz=Africa/Dakar").content.decode()
    assert "2 juin 2030, 01:00–09:00" in html_fr
    assert "Africa/Dakar, UTC+00:00" in html
    assert "Asia/Shanghai, UTC+08:00" in html
    client.cookies.clear()
    html = client.get(f"/en/events/{event.pk}/").content.decode()
    assert "(UTC, UTC+00:00)" in html


def test_the_chosen_zone_is_remembered_in_a_cookie(client, db):
    EventFactory(start=datetime(2030, 6, 2, 9, tzinfo=UTC), timezone="UTC")
    response = client.get("/en/events/?tz=America/New_York")
    assert response.cookies["tz"].value == "America/New_York"
    response = client.get("/en/events/")
    assert response.context["visitor_zone"] == "America/New_York"
    assert "America/New_York" in response.content.decode()


def test_a_broken_zone_cookie_is_ignored_and_cleared(client, db):
    client.cookies["tz"] = "Not/AZone"
    response = client.get("/en/events/")
    assert response.status_code == 200
    assert response.context["visitor_zone"] == "UTC"
    assert response.cookies["tz"].value == ""


def test_all_day_events_show_their_dates_in_every_zone(client, db):
    start, end = span(
        start=date(2030, 3, 25),
        end=date(2030, 3, 26),
        all_day=True,
        zone_name="America/New_York",
    )
    event = EventFactory(
        start=start, end=end, all_day=True, timezone="America/New_York"
    )
    html = client.get(f"/en/events/{event.pk}/?tz=Asia/Tokyo").content.decode()
    assert "March 25, 2030 – March 26, 2030" in html


def _bulk_events(count: int, *, year: int = 2031, month: int = 3) -> None:
    events = Event.objects.bulk_create(
        Event(
            uid=f"bulk-{year}-{month}-{n}@test",
            title_en=f"Bulk event {n}",
            kind="workshop",
            start=datetime(year, month, 1 + n % 28, 8 + n % 10, tzinfo=UTC),
            end=datetime(year, month, 1 + n % 28, 9 + n % 10, tzinfo=UTC),
            timezone=["UTC", "Africa/Dakar", "Asia/Shanghai"][n % 3],
            source_url="https://example.org/",
        )
        for n in range(count)
    )
    EventLanguage.objects.bulk_create(
        EventLanguage(event=event, language=["en", "fr", "ar"][i % 3])
        for i, event in enumerate(events)
    )


def test_the_month_view_renders_2000_events_in_a_fixed_number_of_queries(client, db):
    _bulk_events(5, year=2031, month=2)
    with CaptureQueriesContext(connection) as small:
        response = client.get("/en/events/month/2031/02/")
    assert response.status_code == 200
    assert response.context["calendar"].count == 5
    _bulk_events(2000, year=2031, month=3)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/en/events/month/2031/03/?tz=Asia/Shanghai")
    assert response.status_code == 200
    assert response.context["calendar"].count == 2000
    html = response.content.decode()
    assert len(re.findall(r'href="/en/events/\d+/"', html)) == 2000
    assert len(large) == len(small)


def test_the_month_view_counts_multi_day_events_on_each_day(client, db):
    EventFactory(
        title_en="Long one",
        start=datetime(2031, 1, 30, 9, tzinfo=UTC),
        end=datetime(2031, 2, 2, 17, tzinfo=UTC),
    )
    calendar = client.get("/en/events/month/2031/02/").context["calendar"]
    counted = {
        day.day.day
        for week in calendar.weeks
        for day in week
        if day.in_month and day.count
    }
    assert counted == {1, 2}
    assert [item.title for item in calendar.days[0].items] == ["Long one"]


@pytest.mark.parametrize(
    "url",
    [
        "/en/events/month/2031/13/",
        "/en/events/month/2031/00/",
        "/en/events/month/0000/05/",
    ],
)
def test_a_month_that_does_not_exist_is_a_400(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "no month" in response.content.decode()


def test_the_current_month_redirects_keeping_the_filters(client, db):
    response = client.get("/en/events/month/?kind=webinar")
    assert response.status_code == 302
    assert re.match(
        r"^/en/events/month/\d{4}/\d{2}/\?kind=webinar$", response["Location"]
    )


def test_the_event_page_carries_schema_org_json_ld(client, reference_data):
    event = EventFactory(
        title_en="</script><script>alert(1)</script> & co",
        city="Dakar",
        country=Country.objects.get(iso2="SN"),
        remote_url="https://meet.example.org/x",
        languages=["fr"],
    )
    html = client.get(f"/en/events/{event.pk}/").content.decode()
    assert "<script>alert(1)" not in html
    found = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    assert len(found) == 1
    data = json.loads(found[0])
    assert data["@type"] == "Event"
    assert data["name"] == "</script><script>alert(1)</script> & co"
    assert data["startDate"] == "2030-05-04T09:00:00+00:00"
    assert data["eventAttendanceMode"].endswith("MixedEventAttendanceMode")
    assert data["location"][0]["address"]["addressCountry"] == "SN"
    assert data["inLanguage"] == ["fr"]


def test_the_event_page_lists_overlapping_events_that_share_an_issue(client, db):
    spam, other = IssueFactory(slug="spam"), IssueFactory(slug="other")
    start = datetime(2030, 9, 1, 9, tzinfo=UTC)
    event = EventFactory(title_en="Main", start=start, issues=[spam])
    EventFactory(
        title_en="Clash", start=start + timedelta(hours=2), issues=[spam, other]
    )
    EventFactory(title_en="Other topic", start=start, issues=[other])
    EventFactory(title_en="Next week", start=start + timedelta(days=7), issues=[spam])
    response = client.get(f"/en/events/{event.pk}/")
    assert [item.title for item in response.context["conflicts"]] == ["Clash"]
    assert "Clash" in response.content.decode()


def test_an_untranslated_title_is_shown_in_its_own_language_and_marked(client, db):
    event = EventFactory(language="ar", title_en=None, title_ar="منتدى")
    html = client.get(f"/fr/events/{event.pk}/").content.decode()
    assert '<h1 lang="ar" dir="auto">منتدى</h1>' in html
    html = client.get("/fr/events/").content.decode()
    assert 'lang="ar" dir="auto">منتدى</a>' in html


def test_an_unknown_event_is_a_404_and_writes_are_refused(client, db):
    assert client.get("/en/events/999999/").status_code == 404
    assert client.post("/en/events/").status_code == 405
    assert client.get("/events/").status_code == 302  # to the visitor's language


def test_pages_render_in_every_language(client, calendar):
    event = Event.objects.filter(start__isnull=False).first()
    for language in ("ar", "zh-hans", "en", "fr", "ru", "es"):
        for url in (
            f"/{language}/events/",
            f"/{language}/events/past/",
            f"/{language}/events/month/2030/01/",
            f"/{language}/events/{event.pk}/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'lang="{language}"' in response.content.decode()
