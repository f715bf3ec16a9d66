"""The secretariat curates events in the admin, in the events' own time zones."""

from datetime import UTC, datetime

import pytest

from clearinghouse.events.models import Event, EventOfficial, ParticipationFigure

pytestmark = pytest.mark.django_db


def test_every_events_admin_page_renders(secretariat_client, forum2004):
    for model in (Event, ParticipationFigure, EventOfficial):
        base = f"/admin/events/{model._meta.model_name}/"
        assert secretariat_client.get(base).status_code == 200, base
        assert secretariat_client.get(base + "?q=forum").status_code == 200, base
        assert secretariat_client.get(base + "add/").status_code == 200, base
        obj = model.objects.first()
        if obj is not None:
            assert secretariat_client.get(f"{base}{obj.pk}/change/").status_code == 200
            assert secretariat_client.get(f"{base}{obj.pk}/history/").status_code == 200
    response = secretariat_client.get("/admin/events/event/?languages__language=fr")
    assert response.status_code == 200


def _inlines(prefixes) -> dict:
    data = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def test_the_admin_takes_times_in_the_events_own_zone(secretariat_client, db):
    data = {
        "uid": "admin-made@example.org",
        "language": "en",
        "title_en": "Made in the admin",
        "kind": "workshop",
        "status": "confirmed",
        "local_start_0": "2030-05-01",
        "local_start_1": "09:00:00",
        "local_end_0": "2030-05-01",
        "local_end_1": "17:00:00",
        "timezone": "Asia/Shanghai",
        **_inlines(["languages", "links", "participation", "officials"]),
    }
    response = secretariat_client.post("/admin/events/event/add/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    event = Event.objects.get(uid="admin-made@example.org")
    assert event.start == datetime(2030, 5, 1, 1, tzinfo=UTC)
    assert event.end == datetime(2030, 5, 1, 9, tzinfo=UTC)
    html = secretariat_client.get(f"/admin/events/event/{event.pk}/change/").content
    assert b'value="09:00:00"' in html
    data |= {"all_day": "on", "local_end_0": "2030-05-03"}
    response = secretariat_client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == datetime(2030, 4, 30, 16, tzinfo=UTC)
    assert event.end == datetime(2030, 5, 3, 16, tzinfo=UTC)  # after the last day


def test_the_admin_refuses_half_a_date(secretariat_client, db):
    data = {
        "uid": "half@example.org",
        "language": "en",
        "title_en": "Half",
        "kind": "workshop",
        "status": "confirmed",
        "local_start_0": "2030-05-01",
        "local_start_1": "09:00:00",
        "timezone": "UTC",
        **_inlines(["languages", "links", "participation", "officials"]),
    }
    response = secretariat_client.post("/admin/events/event/add/", data)
    assert response.status_code == 200
    assert "Give both the start and the end" in response.content.decode()
    assert not Event.objects.exists()
