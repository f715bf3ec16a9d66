"""The road map as iCalendar (RFC 5545): one component per milestone.

A milestone with any known date is an all-day VEVENT spanning its expected
dates, from the earliest known bound to the latest (DTEND is exclusive, so
the day after). A milestone with no known date is a VTODO without dates, so
that the calendar still lists every milestone. UIDs derive from the slug,
which never depends on the language, so they stay stable across exports.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Todo

from .models import Milestone, MilestoneStatus
from .rendering import span_text

PRODID = "-//Internet Governance Clearinghouse//Road map//EN"

_EVENT_STATUS = {
    MilestoneStatus.FORESEEN: "TENTATIVE",
    MilestoneStatus.UNDER_WAY: "CONFIRMED",
    MilestoneStatus.REACHED: "CONFIRMED",
    MilestoneStatus.SLIPPED: "TENTATIVE",
    MilestoneStatus.DROPPED: "CANCELLED",
}
_TODO_STATUS = {
    MilestoneStatus.FORESEEN: "NEEDS-ACTION",
    MilestoneStatus.UNDER_WAY: "IN-PROCESS",
    MilestoneStatus.REACHED: "COMPLETED",
    MilestoneStatus.SLIPPED: "NEEDS-ACTION",
    MilestoneStatus.DROPPED: "CANCELLED",
}


def milestone_uid(slug: str) -> str:
    """The stable iCalendar UID of a milestone."""
    return f"milestone-{slug}@roadmap.clearinghouse"


def _stamp(milestone: Milestone) -> datetime:
    return milestone.updated_at or timezone.now()


def calendar_build(milestones, *, absolute, url_of) -> bytes:
    """The milestones (with their relation `keys`) as one calendar.

    `url_of(slug)` gives a milestone's page path, `absolute(path)` its full URL.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", settings.CLEARINGHOUSE_SITE_NAME)
    for milestone in milestones:
        first, last = milestone.first_date, milestone.last_date
        if first is None:
            component = Todo()
            component.add("status", _TODO_STATUS[milestone.status])
        else:
            component = Event()
            component.add("dtstart", first)
            component.add("dtend", last + timedelta(days=1))
            component.add("transp", "TRANSPARENT")
            component.add("status", _EVENT_STATUS[milestone.status])
        component.add("uid", milestone_uid(milestone.slug))
        component.add("dtstamp", _stamp(milestone))
        component.add("summary", milestone.title)
        description = [milestone.description, span_text(milestone)]
        if milestone.span_note:
            description.append(milestone.span_note)
        component.add("description", "\n\n".join(filter(None, description)))
        component.add("url", absolute(url_of(milestone.slug)))
        component.add("categories", [str(milestone.get_status_display())])
        for prerequisite in milestone.keys["depends_on"]:
            component.add(
                "related-to",
                milestone_uid(prerequisite),
                parameters={"RELTYPE": "DEPENDS-ON"},
            )
        calendar.add_component(component)
    return calendar.to_ical()
