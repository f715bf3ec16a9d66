"""schema.org `Event` as JSON-LD for an event's page (data, not executable script)."""

import json
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString, mark_safe

from . import times
from .models import Event, EventStatus

# As django.utils.html.json_script escapes: no "</script>" or "<!--" can form.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

_STATUS = {
    EventStatus.ANNOUNCED: "https://schema.org/EventScheduled",
    EventStatus.CONFIRMED: "https://schema.org/EventScheduled",
    EventStatus.HELD: "https://schema.org/EventScheduled",
    EventStatus.POSTPONED: "https://schema.org/EventPostponed",
    EventStatus.CANCELLED: "https://schema.org/EventCancelled",
}


def _moment(event: Event, value, *, end: bool) -> str:
    if event.all_day:
        first, last = times.days(event.start, event.end, event.timezone)
        return (last if end else first).isoformat()
    return value.astimezone(ZoneInfo(event.timezone)).isoformat()


def event_jsonld(event: Event, *, page_url: str, title: str, description: str) -> dict:
    """The schema.org description of an event (its relations must be loaded)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": page_url,
        "url": page_url,
        "identifier": event.uid,
        "name": title,
        "eventStatus": _STATUS[EventStatus(event.status)],
    }
    if description:
        data["description"] = description
    if event.start is not None:
        data["startDate"] = _moment(event, event.start, end=False)
        data["endDate"] = _moment(event, event.end, end=True)
    remote = event.online or bool(event.remote_url)
    physical = bool(event.city or event.country_id or event.venue)
    data["eventAttendanceMode"] = (
        "https://schema.org/MixedEventAttendanceMode"
        if remote and physical
        else "https://schema.org/OnlineEventAttendanceMode"
        if remote
        else "https://schema.org/OfflineEventAttendanceMode"
    )
    locations = []
    if physical:
        address = {"@type": "PostalAddress"}
        if event.city:
            address["addressLocality"] = event.city
        if event.country_id:
            address["addressCountry"] = event.country.iso2
        place = {"@type": "Place", "address": address}
        if event.venue:
            place["name"] = event.venue
        locations.append(place)
    if remote:
        virtual = {"@type": "VirtualLocation"}
        if event.remote_url:
            virtual["url"] = event.remote_url
        locations.append(virtual)
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    organizers = [
        {"@type": "Organization", "name": institution.name}
        | ({"url": institution.website} if institution.website else {})
        for institution in event.organizers.all()
    ]
    if organizers:
        data["organizer"] = organizers
    languages = [row.language for row in event.languages.all()]
    if languages:
        data["inLanguage"] = languages
    if event.registration_url:
        data["offers"] = {"@type": "Offer", "url": event.registration_url}
    if event.url:
        data["sameAs"] = event.url
    return data


def as_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element that cannot break out of itself."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES)
    return mark_safe(  # noqa: S308 - JSON with <, > and & escaped, as json_script does
        f'<script type="application/ld+json">{text}</script>'
    )
