"""The events API: public reads with the pages' filters, secretariat-only writes."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from clearinghouse.events.models import Event
from tests.events.factories import EventFactory
from tests.factories import InstitutionFactory, IssueFactory

pytestmark = pytest.mark.django_db


def _send(client, url, payload, method="post"):
    return getattr(client, method)(
        url, data=json.dumps(payload), content_type="application/json"
    )


@pytest.fixture
def topics(reference_data):
    return {
        "spam": IssueFactory(slug="spam"),
        "itu": InstitutionFactory(slug="itu"),
    }


def test_openapi_lists_the_events_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/events" in paths
    assert "/api/v1/events/{event_id}" in paths
    assert "/api/v1/events/{event_id}/participation" in paths


def test_the_list_takes_the_pages_filters_and_paginates(client, topics):
    now = timezone.now()
    for n in range(5):
        EventFactory(
            title_en=f"Soon {n}",
            start=now + timedelta(days=n + 1),
            languages=["fr"] if n % 2 else ["en"],
            issues=[topics["spam"]] if n == 4 else [],
        )
    EventFactory(title_en="Gone", start=now - timedelta(days=3))
    EventFactory(title_en="Undated", start=None, end=None, date_note_en="Later.")
    data = client.get("/api/v1/events?limit=2&offset=1").json()
    assert data["count"] == 7 and data["limit"] == 2 and data["offset"] == 1
    assert [item["title"] for item in data["items"]] == ["Soon 0", "Soon 1"]
    data = client.get("/api/v1/events?limit=500").json()
    assert data["items"][-1]["title"] == "Undated"  # undated last
    upcoming = client.get("/api/v1/events?when=upcoming&language=fr").json()
    assert [item["title"] for item in upcoming["items"]] == ["Soon 1", "Soon 3"]
    past = client.get("/api/v1/events?when=past").json()
    assert [item["title"] for item in past["items"]] == ["Gone"]
    spam = client.get("/api/v1/events?issue=spam").json()
    assert [item["issues"] for item in spam["items"]] == [["spam"]]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("issue=nothing", 400),
        ("language=de", 400),
        ("since=yesterday", 400),
        ("tz=Mars/Olympus", 400),
        ("limit=501", 422),
        ("offset=-1", 422),
        ("when=someday", 422),
    ],
)
def test_bad_list_queries_are_refused_with_detail(client, db, query, status):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == status
    assert response.json()["detail"]


def test_one_event_and_an_unknown_one(client, db):
    event = EventFactory(languages=["ar", "en"])
    data = client.get(f"/api/v1/events/{event.pk}").json()
    assert data["uid"] == event.uid
    assert data["languages"] == ["ar", "en"]
    assert data["page"].endswith(f"/en/events/{event.pk}/")
    assert data["ics"].endswith(f"/events/{event.pk}.ics")
    response = client.get("/api/v1/events/999999")
    assert response.status_code == 404 and response.json()["detail"]


NEW_EVENT = {
    "language": "ar",
    "title": "ورشة عمل حول الرسائل الاقتحامية",
    "titles": {"en": "Workshop on spam", "zh-hans": "垃圾邮件研讨会"},
    "kind": "workshop",
    "start": "2030-03-10T09:30:00",
    "end": "2030-03-10T17:00:00",
    "timezone": "Africa/Dakar",
    "city": "Dakar",
    "country": "SN",
    "remote_url": "https://meet.example.org/x",
    "captioning": True,
    "languages": ["ar", "fr"],
    "organizers": ["itu"],
    "issues": ["spam"],
    "links": [
        {"kind": "agenda", "title": "Agenda", "url": "https://example.org/agenda"}
    ],
    "source_url": "https://example.org/announcement",
}


def test_anonymous_and_participant_writes_are_refused(client, topics, participant):
    assert _send(client, "/api/v1/events", NEW_EVENT).status_code == 401
    client.force_login(participant)
    assert _send(client, "/api/v1/events", NEW_EVENT).status_code == 403
    assert not Event.objects.exists()


def test_the_secretariat_creates_updates_and_deletes_an_event(
    secretariat_client, topics
):
    client = secretariat_client
    response = _send(client, "/api/v1/events", NEW_EVENT)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["titles"] == {
        "ar": NEW_EVENT["title"],
        "en": "Workshop on spam",
        "zh-hans": "垃圾邮件研讨会",
    }
    assert data["start"].startswith("2030-03-10T09:30:00")  # Dakar is on UTC
    assert data["uid"].endswith("@clearinghouse")
    assert (data["organizers"], data["issues"]) == (["itu"], ["spam"])
    assert data["remote"] == {
        "url": "https://meet.example.org/x",
        "captioning": True,
        "interpretation": False,
    }
    event_id = data["id"]
    response = _send(
        client,
        f"/api/v1/events/{event_id}",
        {"timezone": "Asia/Shanghai", "languages": ["zh-hans"], "title": "ورشة"},
        method="patch",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["timezone"] == "Asia/Shanghai"
    assert data["start"].startswith("2030-03-10T09:30:00")  # the same moment
    assert data["languages"] == ["zh-hans"]
    assert data["titles"]["ar"] == "ورشة" and data["titles"]["en"] == "Workshop on spam"
    response = _send(
        client,
        f"/api/v1/events/{event_id}",
        {"all_day": True, "start": "2030-04-01", "end": "2030-04-03"},
        method="patch",
    )
    data = response.json()
    assert data["dates"] == {"first": "2030-04-01", "last": "2030-04-03"}
    assert data["start"].startswith("2030-03-31T16:00:00")  # midnight in Shanghai
    assert client.delete(f"/api/v1/events/{event_id}").status_code == 204
    assert client.get(f"/api/v1/events/{event_id}").status_code == 404
    assert Event.history.filter(id=event_id).count() >= 3


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"issues": ["nothing"]}, "Unknown issue “nothing”"),
        ({"organizers": ["nobody"]}, "Unknown institution “nobody”"),
        ({"country": "XX"}, "Unknown country “XX”"),
        ({"timezone": "Mars/Olympus"}, "is not a time zone name"),
        ({"end": "2030-03-09T10:00:00"}, "cannot end before it starts"),
        ({"end": None}, "both the start and the end"),
        ({"language": "de"}, "“de” is not one of"),
        ({"languages": ["tlh"]}, "“tlh” is not one of"),
        ({"remote_url": "javascript:alert(1)"}, "remote_url"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_bad_event_input_is_a_4xx_naming_the_problem(
    secretariat_client, topics, changes, needle
):
    response = _send(secretariat_client, "/api/v1/events", {**NEW_EVENT, **changes})
    assert response.status_code in (400, 422), response.content
    assert needle in " ".join(response.json()["detail"])
    assert not Event.objects.exists()


def test_an_event_without_dates_needs_a_note(secretariat_client, topics):
    payload = {**NEW_EVENT, "start": None, "end": None}
    response = _send(secretariat_client, "/api/v1/events", payload)
    assert response.status_code == 400
    assert "note on what the source says" in " ".join(response.json()["detail"])
    payload["date_note"] = "To be announced."
    response = _send(secretariat_client, "/api/v1/events", payload)
    assert response.status_code == 201
    assert response.json()["ics"] is None


def test_a_duplicate_uid_is_refused(secretariat_client, topics):
    EventFactory(uid="taken@example.org", start=datetime(2030, 1, 1, tzinfo=UTC))
    response = _send(
        secretariat_client, "/api/v1/events", {**NEW_EVENT, "uid": "taken@example.org"}
    )
    assert response.status_code == 400
    assert "this iCalendar UID exists already" in " ".join(response.json()["detail"])


def test_writes_to_an_unknown_event_are_404(secretariat_client, db):
    assert (
        _send(
            secretariat_client, "/api/v1/events/999999", {"title": "x"}, method="patch"
        ).status_code
        == 404
    )
    assert secretariat_client.delete("/api/v1/events/999999").status_code == 404
