"""RSS/Atom and iCalendar harvesting, conditional requests and hostile feeds."""

import gzip

import pytest

from clearinghouse.events.models import Event
from clearinghouse.federation.models import (
    FeedTarget,
    RunStatus,
    SourceKind,
    SourceStatus,
)
from clearinghouse.federation.services import source_harvest, sources_harvest_due
from clearinghouse.library.models import Document
from tests.loopback import LoopbackServer, send

pytestmark = pytest.mark.django_db

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Partner news</title><id>urn:partner:feed</id>
  <updated>2026-11-01T00:00:00Z</updated>
  <entry>
    <id>urn:partner:1</id><title>Spam and the law</title>
    <link href="https://partner.example.org/spam"/>
    <updated>2026-10-01T00:00:00Z</updated>
    <author><name>Ann Example</name></author>
    <summary type="html">&lt;p&gt;A study &lt;script&gt;alert(1)&lt;/script&gt;
    of spam.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <id>urn:partner:2</id><title>Domain names in 2026</title>
    <link href="https://partner.example.org/dns"/>
    <updated>2026-10-02T00:00:00Z</updated>
    <summary>Names and numbers.</summary>
  </entry>
</feed>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lolololololololololololololololololololololololololololololol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<rss version="2.0"><channel><title>&lol5;</title>
<item><title>&lol5;</title><guid>x</guid></item></channel></rss>
"""

CALENDAR = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Partner//EN\r
BEGIN:VEVENT\r
UID:meeting-1@partner.example.org\r
DTSTAMP:20261101T000000Z\r
DTSTART:20270115T090000Z\r
DTEND:20270115T170000Z\r
SUMMARY:Regional Internet governance meeting\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def _conditional(body: bytes, content_type: str):
    def route(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        send(
            handler,
            200,
            body,
            content_type=content_type,
            headers={"ETag": '"v1"', "Last-Modified": "Sun, 01 Nov 2026 00:00:00 GMT"},
        )

    return route


def test_an_atom_feed_becomes_documents_with_sanitized_text(server, make_source):
    server.routes["/feed"] = _conditional(ATOM, "application/atom+xml")
    source = make_source(server.url("/feed"), kind=SourceKind.FEED)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.created == 2
    document = Document.objects.get(title="Spam and the law")
    assert "<" not in document.summary
    assert "alert" not in document.summary
    assert document.url == "https://partner.example.org/spam"
    assert document.authors == ["Ann Example"]


def test_an_unchanged_feed_is_not_downloaded_again(server, make_source):
    server.routes["/feed"] = _conditional(ATOM, "application/atom+xml")
    source = make_source(server.url("/feed"), kind=SourceKind.FEED)
    source_harvest(source=source)
    source.refresh_from_db()
    assert source.etag == '"v1"'
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED
    assert (run.fetched, run.created) == (0, 0)
    assert server.headers[-1]["If-None-Match"] == '"v1"'
    assert server.headers[-1]["If-Modified-Since"] == "Sun, 01 Nov 2026 00:00:00 GMT"


def test_feed_entries_can_become_events(server, make_source):
    server.routes["/feed"] = _conditional(ATOM, "application/atom+xml")
    source = make_source(
        server.url("/feed"), kind=SourceKind.FEED, feed_target=FeedTarget.EVENTS
    )
    run = source_harvest(source=source)
    assert run.created == 2, run.errors
    event = Event.objects.get(title="Spam and the law")
    assert event.start is None and event.date_note
    assert list(event.organizers.all()) == [source.institution]
    assert source_harvest(source=source).created == 0


def test_an_icalendar_feed_becomes_events(server, make_source):
    server.routes["/cal.ics"] = _conditional(CALENDAR, "text/calendar")
    source = make_source(server.url("/cal.ics"), kind=SourceKind.ICALENDAR)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert Event.objects.filter(uid="meeting-1@partner.example.org").exists()


def _huge(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    handler.wfile.write(b"<rss><channel>")
    chunk = b"<item><title>x</title></item>" * 2000
    for _ in range(200 * 1024 * 1024 // len(chunk)):
        handler.wfile.write(chunk)


HOSTILE = {
    "/laughs": lambda h: send(h, 200, BILLION_LAUGHS, content_type="text/xml"),
    "/huge": _huge,
    "/bomb": lambda h: send(
        h,
        200,
        gzip.compress(b" " * (64 * 1024 * 1024), 9),
        content_type="text/xml",
        headers={"Content-Encoding": "gzip"},
    ),
    "/latin": lambda h: send(
        h, 200, ATOM.replace(b"Spam", b"Spam \xff\xfe\xc3"), content_type="text/xml"
    ),
    "/truncated": lambda h: send(
        h, 200, ATOM[: len(ATOM) // 2], content_type="text/xml"
    ),
}


def test_hostile_feeds_fail_alone_and_the_others_are_harvested(
    server, make_source, settings
):
    settings.FETCH_MAX_BYTES = 4 * 1024 * 1024
    settings.FEDERATION_RETRIES = 0
    server.routes.update(HOSTILE)
    server.routes["/good"] = _conditional(ATOM, "application/atom+xml")
    assert len(BILLION_LAUGHS) < 1100
    hostile = {
        path: make_source(server.url(path), kind=SourceKind.FEED, name=path)
        for path in HOSTILE
    }
    good = make_source(server.url("/good"), kind=SourceKind.FEED, name="good")
    runs = {run.source.pk: run for run in sources_harvest_due()}
    assert runs[good.pk].status == RunStatus.SUCCEEDED
    assert runs[good.pk].created == 2
    for path, source in hostile.items():
        run = runs[source.pk]
        assert run.status == RunStatus.FAILED, path
        assert run.errors and run.errors[-1]["message"], path
        source.refresh_from_db()
        assert source.consecutive_failures == 1
    messages = {path: runs[s.pk].errors[-1]["message"] for path, s in hostile.items()}
    assert "entities" in messages["/laughs"]
    assert "larger than" in messages["/huge"]
    assert "larger than" in messages["/bomb"]
    assert "well-formed" in messages["/latin"]
    assert "well-formed" in messages["/truncated"]


def test_a_source_that_keeps_failing_is_paused_with_a_notice(
    server, make_source, settings
):
    settings.FEDERATION_PAUSE_AFTER_FAILURES = 3
    settings.FEDERATION_RETRIES = 0
    server.routes["/truncated"] = HOSTILE["/truncated"]
    source = make_source(server.url("/truncated"), kind=SourceKind.FEED)
    for _ in range(3):
        source_harvest(source=source)
    source.refresh_from_db()
    assert source.status == SourceStatus.PAUSED
    assert "3" in source.notice and "well-formed" in source.notice
    assert source.next_harvest_at is not None


def test_a_held_lease_skips_the_second_harvest(server, make_source):
    from clearinghouse.federation.services import _lease

    server.routes["/feed"] = _conditional(ATOM, "application/atom+xml")
    source = make_source(server.url("/feed"), kind=SourceKind.FEED)
    assert _lease(source) is not None
    run = source_harvest(source=source)
    assert run.status == RunStatus.SKIPPED
    assert server.requests == []
