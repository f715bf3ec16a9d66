"""Another clearinghouse as a source: our change listings, recorded and harvested.

The partner's answers are recorded from our own API (so the format is the
real one), the partner's records are then removed, and a loopback server
plays the recording back to the harvester.
"""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from clearinghouse.events.models import Event
from clearinghouse.federation import partner_api
from clearinghouse.federation.models import RunStatus, SourceKind
from clearinghouse.federation.services import source_harvest
from clearinghouse.library.models import Document, DocumentProvenance, DocumentStatus
from clearinghouse.library.services import document_create, document_withdraw
from tests.events.factories import EventFactory
from tests.factories import IssueFactory
from tests.loopback import LoopbackServer, send

pytestmark = pytest.mark.django_db

API = "/api/v1/changes/"


def _pages(client, kind: str, **params) -> dict[str, bytes]:
    """Every page of one listing, keyed by how it is asked for ("" or a cursor)."""
    pages = {}
    query = {"limit": "2", **params}
    key = ""
    while True:
        response = client.get(f"{API}{kind}", query)
        assert response.status_code == 200, response.content
        pages[key] = response.content
        following = response.json()["next"]
        if not following:
            return pages
        key = following
        query = {"limit": "2", "cursor": following}


class Partner:
    """A recorded clearinghouse: full listings, and listings since a time."""

    def __init__(self) -> None:
        self.full: dict[str, dict[str, bytes]] = {}
        self.since: dict[str, dict[str, bytes]] = {}
        self.broken: dict[str, bytes] = {}

    def route(self, kind: str):
        def answer(handler):
            query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
            key = query.get("cursor", "")
            if key in self.broken:
                send(handler, 200, self.broken[key], content_type="application/json")
                return
            # A cursor names its own listing; a first page is full or "since".
            pages = self.since[kind] if "since" in query else self.full[kind]
            if key:
                pages = {**self.full[kind], **self.since[kind]}
            if key in pages:
                send(handler, 200, pages[key], content_type="application/json")
            else:
                send(handler, 400, b'{"detail": ["unknown cursor"]}')

        return answer


def _document(secretariat, title: str, **values):
    return document_create(
        by=secretariat,
        values={"title": title, "summary": f"About {title.lower()}.", **values},
        source="form",
    )


@pytest.fixture
def recording(client, secretariat, monkeypatch):
    """Six documents (one withdrawn, one draft) and two events, recorded."""
    monkeypatch.setattr(partner_api, "PAGE_SIZE", 2)
    spam = IssueFactory(slug="spam")
    recorded = Partner()
    first = _document(
        secretariat,
        "Spam and the developing world",
        doi="10.1000/spam",
        date="2004-03-01",
        date_precision="month",
        authors=["A. Author"],
    )
    first.issue_tags.create(issue=spam, confirmed=True, score=1.0)
    for n in range(2, 6):
        _document(secretariat, f"Report number {n}", date="2005-01-01")
    gone = _document(secretariat, "Withdrawn report")
    document_withdraw(document=gone)
    document_create(by=None, values={"title": "A draft"}, source="form")
    EventFactory(title_en="Regional meeting", city="Geneva", issues=[spam])
    EventFactory(title_en="Online workshop", start=None, end=None)
    for kind in ("documents", "events"):
        recorded.full[kind] = _pages(client, kind)
    # Then the partner changes: one document edited, one added, one withdrawn.
    since = json.loads(recorded.full["documents"][""])["until"]
    first.title = "Spam and the developing world, revised"
    first.save()
    _document(secretariat, "A new study")
    fourth = Document.objects.get(title="Report number 4")
    document_withdraw(document=fourth)
    for kind in ("documents", "events"):
        recorded.since[kind] = _pages(client, kind, since=since)
    # Gone from here: only the recording remains.
    Document.objects.all().delete()
    Event.objects.all().delete()
    return recorded


@pytest.fixture
def server(recording):
    with LoopbackServer() as running:
        running.routes[f"{API}documents"] = recording.route("documents")
        running.routes[f"{API}events"] = recording.route("events")
        yield running


@pytest.fixture
def source(make_source, server):
    return make_source(server.url("/api/v1/"), kind=SourceKind.CLEARINGHOUSE)


def live_titles() -> set[str]:
    return set(
        Document.objects.filter(status=DocumentStatus.PUBLISHED).values_list(
            "title", flat=True
        )
    )


def test_a_partner_clearinghouse_is_harvested_completely(source):
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.complete
    assert live_titles() == {
        "Spam and the developing world",
        *(f"Report number {n}" for n in range(2, 6)),
    }
    assert not Document.objects.filter(title__in=["A draft"]).exists()
    document = Document.objects.get(doi="10.1000/spam")
    assert document.authors == ["A. Author"]
    assert document.date_precision == "month"
    assert [t.issue.slug for t in document.issue_tags.all()] == ["spam"]
    provenance = document.provenances.get()
    assert provenance.source_key == source.key
    assert set(Event.objects.values_list("title_en", flat=True)) == {
        "Regional meeting",
        "Online workshop",
    }
    assert Event.objects.get(title_en="Online workshop").date_note
    meeting = Event.objects.get(title_en="Regional meeting")
    assert meeting.city == "Geneva" and meeting.start is not None
    assert list(meeting.organizers.all()) == [source.institution]
    source.refresh_from_db()
    assert source.cursor


def test_harvesting_again_writes_nothing_then_follows_the_changes(source, server):
    source_harvest(source=source)
    stamps = dict(Document.objects.values_list("pk", "updated_at"))
    source.refresh_from_db()
    cursor = source.cursor
    source.cursor = ""
    again = source_harvest(source=source)
    assert again.complete
    assert (again.created, again.updated, again.deleted) == (0, 0, 0), again.errors
    assert dict(Document.objects.values_list("pk", "updated_at")) == stamps
    source.cursor = cursor
    asked = len(server.requests)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert "since=" in server.requests[asked]
    assert not run.complete
    assert run.created >= 1 and run.deleted == 1
    assert live_titles() == {
        "Spam and the developing world, revised",
        "Report number 2",
        "Report number 3",
        "Report number 5",
        "A new study",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>Bad gateway</html>", "valid JSON"),
        (b'{"items": [', "valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "valid JSON"),
        (b'{"items": "none", "next": null, "until": "2026-01-01T00:00:00Z"}', "not a"),
        (b'{"items": [], "next": null, "until": "yesterday"}', "not a"),
    ],
)
def test_a_broken_page_fails_the_run_and_deletes_nothing(
    source, recording, body, message
):
    source_harvest(source=source)
    before = live_titles()
    source.cursor = ""
    # The second page of the full listing breaks.
    second = next(k for k in recording.full["documents"] if k)
    recording.broken[second] = body
    run = source_harvest(source=source)
    assert run.status == RunStatus.FAILED
    assert message in run.errors[-1]["message"]
    assert run.deleted == 0 and not run.complete
    assert live_titles() == before
    source.refresh_from_db()
    assert source.cursor == "" and source.consecutive_failures == 1


def test_an_error_status_is_retried_then_logged(make_source):
    with LoopbackServer() as server:
        server.routes[f"{API}documents"] = lambda h: send(h, 500, b"down")
        source = make_source(server.url("/api/v1/"), kind=SourceKind.CLEARINGHOUSE)
        run = source_harvest(source=source)
    assert run.status == RunStatus.FAILED
    assert run.retries >= 1
    assert "HTTP status 500" in run.errors[-1]["message"]
    assert not DocumentProvenance.objects.exists()


def test_records_without_an_id_or_title_are_logged_and_the_rest_kept(make_source):
    page = {
        "until": timezone.now().isoformat(),
        "next": None,
        "items": [
            {"title": "No id"},
            {"id": 7, "title": "<p> </p>", "status": "published"},
            {"id": 8, "title": "Kept", "status": "published", "language": "fr"},
        ],
    }
    empty = {"until": timezone.now().isoformat(), "next": None, "items": []}
    with LoopbackServer() as server:
        server.routes[f"{API}documents"] = lambda h: send(
            h, 200, json.dumps(page).encode(), content_type="application/json"
        )
        server.routes[f"{API}events"] = lambda h: send(
            h, 200, json.dumps(empty).encode(), content_type="application/json"
        )
        source = make_source(server.url("/api/v1"), kind=SourceKind.CLEARINGHOUSE)
        run = source_harvest(source=source)
    assert run.status == RunStatus.PARTIAL
    assert run.created == 1 and run.skipped == 2
    assert {e["record"] for e in run.errors} == {"?", "7"}
    assert Document.objects.get().language == "fr"


def test_the_change_listing_pages_each_record_once_within_its_bounds(
    client, secretariat
):
    for n in range(5):
        _document(secretariat, f"Document {n}")
    pages = _pages(client, "documents")
    seen = [
        item["title"] for body in pages.values() for item in json.loads(body)["items"]
    ]
    assert sorted(seen) == [f"Document {n}" for n in range(5)]
    assert len(pages) == 3
    # A document changed during the listing comes after its bound.
    first = client.get(f"{API}documents", {"limit": "2"}).json()
    Document.objects.filter(title="Document 4").update(updated_at=timezone.now())
    rest = client.get(
        f"{API}documents", {"limit": "10", "cursor": first["next"]}
    ).json()
    assert "Document 4" not in [item["title"] for item in rest["items"]]
    later = client.get(f"{API}documents", {"since": first["until"]}).json()
    assert [item["title"] for item in later["items"]] == ["Document 4"]


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "forged"},
        {"since": "last week"},
        {"since": "0001-01-01T00:00:00+01:00"},
        {"since": "2026-02-30T00:00:00Z"},
        {"limit": "0"},
        {"limit": "9999"},
    ],
)
def test_the_change_listing_refuses_bad_parameters(client, query):
    response = client.get(f"{API}documents", query)
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
