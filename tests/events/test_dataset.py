"""The meetings and participation figures of the Forum 2004 dataset."""

import re
from datetime import date
from pathlib import Path

import icalendar
import pytest
from django.core.management import call_command

from clearinghouse.events import times
from clearinghouse.events.models import Event, ParticipationFigure

pytestmark = pytest.mark.django_db

DATASET = Path(__file__).resolve().parents[2] / "data" / "forum2004"
SUMMARY = re.sub(r"\s+", " ", (DATASET / "summary.txt").read_text(encoding="utf-8"))


def _event(slug: str) -> Event:
    return Event.objects.get(uid=f"{slug}@forum2004.clearinghouse")


def test_the_meetings_of_the_summary_are_events_with_sourced_dates(forum2004):
    assert Event.objects.count() == 14
    forum = _event("global-forum-internet-governance-2004")
    assert forum.all_day and forum.timezone == "America/New_York"
    assert times.days(forum.start, forum.end, forum.timezone) == (
        date(2004, 3, 25),
        date(2004, 3, 26),
    )
    assert (forum.status, forum.city, forum.country.iso2) == ("held", "New York", "US")
    assert forum.issues.count() == 49
    assert [i.slug for i in forum.organizers.all()] == ["un-ict-task-force"]
    geneva = _event("wsis-geneva-2003")
    assert times.days(geneva.start, geneva.end, geneva.timezone) == (
        date(2003, 12, 10),
        date(2003, 12, 12),
    )
    assert geneva.title_ar and geneva.title_zh_hans and geneva.title_ru
    sixth = _event("un-ict-task-force-sixth-meeting")
    assert (sixth.status, sixth.timezone) == ("announced", "UTC")
    undated = {event.uid.split("@")[0]: event for event in Event.objects.undated()}
    assert set(undated) == {
        "wsis-online-forum-internet-governance",
        "eu-common-position-meeting-2004",
        "wsis-tunis-prepcom-1",
        "wsis-tunis-phase",
        "idb-lac-ict4d-regional-meetings",
    }
    for event in undated.values():
        assert event.end is None and event.date_note_en
    assert undated["wsis-online-forum-internet-governance"].status == "held"
    assert undated["wsis-tunis-phase"].status == "announced"
    assert "end of June" in undated["wsis-tunis-prepcom-1"].date_note_en
    for event in Event.objects.all():
        assert event.source_quote in SUMMARY, event.uid
        if event.source_url:
            assert event.source_title


def test_loading_the_dataset_twice_writes_nothing(forum2004, capsys):
    def counts():
        return (
            Event.objects.count(),
            Event.history.count(),
            ParticipationFigure.objects.count(),
            ParticipationFigure.history.count(),
            Event.issues.through.objects.count(),
        )

    before = counts()
    capsys.readouterr()
    call_command("load_forum2004")
    out = capsys.readouterr().out
    assert "events: 0 created, 0 updated, 14 unchanged" in out
    assert "participation figures: 0 created, 0 updated, 17 unchanged" in out
    assert counts() == before


def test_every_dataset_event_has_its_page_and_calendar(client, forum2004):
    for event in Event.objects.all():
        for language in ("en", "ar", "zh-hans"):
            response = client.get(f"/{language}/events/{event.pk}/")
            assert response.status_code == 200, (language, event.uid)
        ics = client.get(f"/events/{event.pk}.ics")
        assert ics.status_code == (200 if event.start else 404), event.uid
    body = client.get("/calendar.ics?since=2003-01-01&until=2004-12-31").content
    calendar = icalendar.Calendar.from_ical(body)
    assert len(calendar.events) == 9
    past = client.get("/en/events/past/?since=2003-01-01")
    assert past.context["page"].count == 9
    upcoming = client.get("/en/events/")
    assert {item.title for item in upcoming.context["page"].undated} == {
        "First Preparatory Committee meeting (PrepCom-1) of the Tunis phase of WSIS",
        "World Summit on the Information Society, Tunis phase",
        "Sub-regional and regional meetings on ICT for development and e-governance "
        "in Latin America and the Caribbean (IDB technical cooperation project)",
    }
    march = client.get("/en/events/month/2004/03/?tz=America/New_York")
    titles = {
        item.title for day in march.context["calendar"].days for item in day.items
    }
    assert "Global Forum on Internet Governance" in titles
