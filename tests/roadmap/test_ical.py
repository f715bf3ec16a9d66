"""/roadmap.ics: every milestone, re-parseable, with stable UIDs."""

import datetime

import pytest
from icalendar import Calendar

from clearinghouse.roadmap.ical import milestone_uid
from clearinghouse.roadmap.models import Milestone, MilestoneStatus
from tests.factories import AreaFactory, IssueFactory
from tests.roadmap.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _calendar(client, query=""):
    response = client.get(f"/roadmap.ics{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content, Calendar.from_ical(response.content)


def test_calendar_parses_and_contains_every_milestone(client, db):
    spam = IssueFactory(slug="spam", area=AreaFactory())
    prepcom = MilestoneFactory(
        slug="prepcom",
        title="PrepCom — “first”",
        earliest_start=D(2004, 6, 15),
        latest_start=D(2004, 6, 30),
        earliest_end=D(2004, 6, 15),
        latest_end=D(2004, 6, 30),
        issues=[spam],
    )
    MilestoneFactory(slug="tunis", depends_on=[prepcom], status=MilestoneStatus.DROPPED)
    MilestoneFactory(
        slug="someday",
        earliest_start=None,
        latest_start=None,
        earliest_end=None,
        latest_end=None,
        status=MilestoneStatus.UNDER_WAY,
    )
    body, calendar = _calendar(client)
    events = {str(c["UID"]): c for c in calendar.walk("VEVENT")}
    todos = {str(c["UID"]): c for c in calendar.walk("VTODO")}
    assert set(events) == {milestone_uid("prepcom"), milestone_uid("tunis")}
    assert set(todos) == {milestone_uid("someday")}
    june = events[milestone_uid("prepcom")]
    assert june.decoded("DTSTART") == D(2004, 6, 15)
    assert june.decoded("DTEND") == D(2004, 7, 1)  # exclusive: all of 30 June
    assert str(june["SUMMARY"]) == "PrepCom — “first”"
    assert str(june["URL"]).endswith("/en/roadmap/prepcom/")
    assert str(june["STATUS"]) == "TENTATIVE"
    tunis = events[milestone_uid("tunis")]
    assert str(tunis["STATUS"]) == "CANCELLED"
    assert str(tunis["RELATED-TO"]) == milestone_uid("prepcom")
    assert str(todos[milestone_uid("someday")]["STATUS"]) == "IN-PROCESS"
    # The same milestones give the same UIDs on every export.
    _body, again = _calendar(client)
    assert {str(c["UID"]) for c in again.walk("VEVENT")} == set(events)
    # Filters as on the page.
    _body, filtered = _calendar(client, "?issue=spam")
    assert [str(c["UID"]) for c in filtered.walk("VEVENT")] == [
        milestone_uid("prepcom")
    ]


def test_calendar_refuses_unknown_filters_with_a_message(client, db):
    response = client.get("/roadmap.ics?issue=weather")
    assert response.status_code == 400
    assert "weather is not one of the available choices" in response.content.decode()


def test_calendar_of_the_forum_lists_every_seed_milestone(client, forum2004):
    _body, calendar = _calendar(client)
    uids = {str(c["UID"]) for c in calendar.walk() if c.name in ("VEVENT", "VTODO")}
    assert uids == {
        milestone_uid(slug) for slug in Milestone.objects.values_list("slug", flat=True)
    }
    assert len(uids) == Milestone.objects.count() >= 10
