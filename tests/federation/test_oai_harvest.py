"""Harvesting a real OAI-PMH repository on loopback, faults and all."""

import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearinghouse.core.runtime import BATCH_YOUNG_THRESHOLD
from clearinghouse.federation.models import RunStatus
from clearinghouse.federation.provider import oai_time
from clearinghouse.federation.services import source_harvest
from clearinghouse.library.models import Document, DocumentProvenance, DocumentStatus

from .oai_server import OaiRepository, serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def repository():
    return OaiRepository(page_size=20, overlap=2)


@pytest.fixture
def server(repository):
    with serve(repository) as running:
        yield running


@pytest.fixture
def source(make_source, server):
    return make_source(server.url("/oai"))


def harvested(source) -> set[str]:
    """The identifiers of this source whose documents are live here."""
    return set(
        DocumentProvenance.objects.filter(
            source_key=source.key,
            deleted_upstream=False,
            document__status=DocumentStatus.PUBLISHED,
        ).values_list("original_identifier", flat=True)
    )


def test_a_faulty_repository_is_harvested_completely(repository, source):
    repository.add(110)
    for n in (3, 7, 11):
        repository.records[f"oai:repository.example.org:{n}"].deleted = True
    # Request 0 is Identify; then a 503 with Retry-After, a dropped
    # connection, and a token that expires between two pages.
    repository.faults = {1: "503", 3: "drop", 5: "503", 7: "expire"}
    run = source_harvest(source=source)
    assert run.status in {RunStatus.SUCCEEDED, RunStatus.PARTIAL}, run.errors
    assert harvested(source) == repository.live()
    assert run.retries >= 3
    assert run.complete
    assert Document.objects.count() == len(repository.live())
    assert any("restarted" in e["message"] for e in run.errors)


def test_duplicates_across_pages_make_one_document_each(repository, source):
    repository.add(50)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.fetched > 50  # the overlap sends some records twice
    assert run.created == 50
    assert Document.objects.count() == 50


def test_reharvesting_an_unchanged_repository_writes_nothing(repository, source):
    repository.add(40)
    source_harvest(source=source)
    source.cursor = ""  # a full listing again
    stamps = dict(Document.objects.values_list("pk", "updated_at"))
    served = len(repository.verbs)
    with CaptureQueriesContext(connection) as queries:
        run = source_harvest(source=source)
    assert (run.created, run.updated, run.deleted) == (0, 0, 0)
    assert run.unchanged == 40
    assert run.complete
    # Read from the records' headers alone: no record was sent again.
    assert set(repository.verbs[served:]) == {"Identify", "ListIdentifiers"}
    assert dict(Document.objects.values_list("pk", "updated_at")) == stamps
    # Its pages opened no transaction (on SQLite: took no write lock), and
    # only the run's own tables were written.
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "BEGIN"))]
    written = {
        s.split('"')[1] for s in statements if s.startswith(("INSERT", "UPDATE"))
    }
    assert written == {"federation_source", "federation_harvestrun"}


def test_a_complete_listing_again_reads_in_full_only_what_changed(
    repository, server, source
):
    repository.add(40)
    source_harvest(source=source)
    records = repository.records
    records["oai:repository.example.org:5"].title = "Report five, revised"
    records["oai:repository.example.org:5"].datestamp = "2026-06-01T00:00:00Z"
    records["oai:repository.example.org:30"].datestamp = "2026-03-01T00:00:00Z"
    repository.add(1, start=100, datestamp="2026-02-01T00:00:00Z")
    del records["oai:repository.example.org:12"]
    records["oai:repository.example.org:13"].deleted = True
    records["oai:repository.example.org:13"].datestamp = "2026-07-01T00:00:00Z"
    source.cursor = ""
    served = len(repository.verbs)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert (run.created, run.updated, run.deleted, run.unchanged) == (1, 2, 2, 36)
    # Each header once (two pages, their overlap twice); the records read
    # in full again after their headers are not counted twice.
    assert run.fetched == len(repository.records) + repository.overlap
    assert run.complete
    assert harvested(source) == repository.live()
    document = DocumentProvenance.objects.get(
        original_identifier="oai:repository.example.org:5"
    ).document
    assert document.title == "Report five, revised"
    # The headers, then the records from a second before the earliest
    # changed datestamp.
    verbs = repository.verbs[served:]
    assert verbs[0] == "Identify"
    assert verbs.index("ListRecords") > verbs.index("ListIdentifiers")
    first_records = server.requests[served + verbs.index("ListRecords")]
    assert "from=2026-01-31T23%3A59%3A59Z" in first_records
    source.refresh_from_db()
    assert source.cursor == repository.now


@pytest.mark.parametrize("code", ["badVerb", "noRecordsMatch"])
def test_a_repository_without_list_identifiers_is_listed_again_in_full(
    repository, source, code
):
    """One that does not offer ListIdentifiers, or whose ListIdentifiers says
    it has nothing where we hold its records: a listing of the records
    decides, and nothing is withdrawn on the headers' word."""
    repository.refused = {"ListIdentifiers": code}
    repository.add(30)
    source_harvest(source=source)
    del repository.records["oai:repository.example.org:7"]
    source.cursor = ""
    served = len(repository.verbs)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert (run.created, run.updated, run.deleted, run.unchanged) == (0, 0, 1, 29)
    assert run.complete
    assert harvested(source) == repository.live()
    assert repository.verbs[served:].count("ListIdentifiers") == 1
    assert "ListRecords" in repository.verbs[served:]


def test_a_record_that_changes_then_goes_during_the_listing_is_withdrawn(
    repository, source
):
    repository.add(40)
    source_harvest(source=source)
    moving = repository.records["oai:repository.example.org:0"]
    moving.datestamp = "2026-05-01T00:00:00Z"
    source.cursor = ""

    def delete():
        moving.deleted = True
        moving.datestamp = "2026-06-01T00:00:00Z"

    # Request 0 is Identify, 1 the first page of headers (the record has
    # changed); before the second, it is deleted and the token expires, so
    # the listing restarts and finds it deleted.
    repository.before = {repository.served + 2: delete}
    repository.faults = {repository.served + 2: "expire"}
    run = source_harvest(source=source)
    assert run.status == RunStatus.PARTIAL  # the restart is logged
    assert [e["message"] for e in run.errors if e["record"]] == []
    assert (run.deleted, run.updated, run.unchanged) == (1, 0, 39)
    assert harvested(source) == repository.live()
    source.refresh_from_db()
    assert source.cursor == repository.now


def test_a_repository_that_misreads_from_has_its_records_listed_from_the_start(
    repository, server, source
):
    repository.add(30)
    source_harvest(source=source)
    changed = "oai:repository.example.org:21"
    repository.records[changed].datestamp = "2026-05-01T00:00:00Z"
    repository.records[changed].title = "Report twenty-one, revised"
    repository.hidden_from = {changed}
    source.cursor = ""
    served = len(repository.verbs)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert (run.updated, run.unchanged) == (1, 29)
    document = DocumentProvenance.objects.get(original_identifier=changed).document
    assert document.title == "Report twenty-one, revised"
    listings = [
        path
        for path in server.requests[served:]
        if "verb=ListRecords" in path and "metadataPrefix" in path
    ]
    assert ["from=" in path for path in listings] == [True, False]


def test_a_changed_record_listed_but_not_delivered_is_asked_for_next_time(
    repository, source
):
    repository.add(30)
    source_harvest(source=source)
    lost = "oai:repository.example.org:9"
    repository.records[lost].datestamp = "2026-05-01T00:00:00Z"
    repository.records[lost].title = "Report nine, revised"
    repository.hidden = {lost}
    source.cursor = ""
    run = source_harvest(source=source)
    assert run.status == RunStatus.PARTIAL
    assert [e["record"] for e in run.errors] == [lost]
    assert run.deleted == 0
    source.refresh_from_db()
    assert source.cursor == ""  # the next harvest is a complete listing again
    repository.hidden = set()
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.updated == 1
    document = DocumentProvenance.objects.get(original_identifier=lost).document
    assert document.title == "Report nine, revised"


def test_comments_set_specs_and_abouts_around_a_records_parts_change_nothing(
    repository, source
):
    repository.add(30)
    for n in range(0, 30, 2):
        repository.records[f"oai:repository.example.org:{n}"].loose = True
    repository.records["oai:repository.example.org:4"].deleted = True
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert harvested(source) == repository.live()
    assert run.created == 29
    titles = set(Document.objects.values_list("title", flat=True))
    assert titles == {r.title for r in repository.records.values() if not r.deleted}
    source.cursor = ""
    again = source_harvest(source=source)
    # The deleted record counts too: nothing of it is left to withdraw.
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)
    repository.records["oai:repository.example.org:8"].deleted = True
    repository.records[
        "oai:repository.example.org:8"
    ].datestamp = "2026-12-01T00:00:00Z"
    source.cursor = ""
    assert source_harvest(source=source).deleted == 1
    assert harvested(source) == repository.live()


def test_a_harvest_reads_the_taxonomy_for_its_suggestions_once(repository, source):
    repository.add(60)  # three pages
    with CaptureQueriesContext(connection) as queries:
        run = source_harvest(source=source)
    assert run.created == 60
    synonyms = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "taxonomy_synonym"' in q["sql"] and "COUNT(" in q["sql"]
    ]
    assert len(synonyms) == 1


def test_a_harvest_runs_the_garbage_collector_less_often(repository, server, source):
    before = gc.get_threshold()
    during = []
    route = server.routes["/oai"]

    def observed(handler):
        during.append(gc.get_threshold()[0])
        route(handler)

    server.routes["/oai"] = observed
    repository.add(30)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert set(during) == {max(before[0], BATCH_YOUNG_THRESHOLD)}
    assert gc.get_threshold() == before


def test_a_complete_listing_withdraws_what_it_no_longer_has(repository, source):
    repository.add(30)
    source_harvest(source=source)
    gone = [f"oai:repository.example.org:{n}" for n in (2, 17, 29)]
    for identifier in gone:
        del repository.records[identifier]
    run = source_harvest(source=source)  # incremental: withdraws nothing
    assert run.deleted == 0
    assert len(harvested(source)) == 30
    source.cursor = ""  # a complete listing
    run = source_harvest(source=source)
    assert (run.deleted, run.unchanged) == (3, 27)
    assert harvested(source) == repository.live()
    for identifier in gone:
        provenance = DocumentProvenance.objects.get(original_identifier=identifier)
        assert provenance.deleted_upstream
        assert provenance.document.status == DocumentStatus.WITHDRAWN


def test_deleted_records_withdraw_their_documents(repository, source):
    repository.add(30)
    source_harvest(source=source)
    gone = "oai:repository.example.org:5"
    repository.records[gone].deleted = True
    repository.records[gone].datestamp = "2026-12-01T00:00:00Z"
    run = source_harvest(source=source)
    assert run.deleted == 1
    document = DocumentProvenance.objects.get(original_identifier=gone).document
    assert document.status == DocumentStatus.WITHDRAWN
    assert harvested(source) == repository.live()


def test_incremental_harvests_ask_from_the_last_response_date(
    repository, source, server
):
    repository.add(30)
    source_harvest(source=source)
    source.refresh_from_db()
    assert source.cursor == repository.now
    repository.add(5, start=100, datestamp="2026-12-01T00:00:00Z")
    run = source_harvest(source=source)
    assert f"from={repository.now.replace(':', '%3A')}" in server.requests[-1]
    assert run.created == 5
    assert run.fetched == 5
    assert not run.complete


def test_a_harvest_that_fails_halfway_deletes_nothing(repository, source):
    repository.add(60)
    source_harvest(source=source)
    before = harvested(source)
    # The repository loses twenty records, then breaks on its second page.
    for n in range(40, 60):
        del repository.records[f"oai:repository.example.org:{n}"]
    source.cursor = ""
    requests_so_far = repository.served
    repository.faults = {requests_so_far + 2: "broken"}
    run = source_harvest(source=source)
    assert run.status == RunStatus.FAILED
    assert run.deleted == 0
    assert not run.complete
    assert harvested(source) == before
    source.refresh_from_db()
    assert source.cursor == ""
    assert source.consecutive_failures == 1
    # Once the repository is whole again, the complete listing withdraws them.
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.deleted == 20
    assert harvested(source) == repository.live()


def test_an_error_code_fails_the_run_with_its_message(make_source, server):
    source = make_source(server.url("/oai"), oai_metadata_prefix="marc21")
    run = source_harvest(source=source)
    assert run.status == RunStatus.FAILED
    assert "cannotDisseminateFormat" in run.errors[-1]["message"]


def test_an_empty_repository_is_a_complete_empty_listing(repository, source):
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED
    assert run.complete


def test_a_dry_run_writes_nothing_and_keeps_the_schedule(repository, source):
    repository.add(20)
    run = source_harvest(source=source, dry_run=True)
    assert run.created == 20
    assert Document.objects.count() == 0
    source.refresh_from_db()
    assert source.cursor == ""
    assert source.next_harvest_at is None


def test_what_a_source_gave_before_is_read_as_the_orm_reads_it(make_source, partner):
    """The datestamps a re-harvest compares with are read as text and
    converted once per value: the same aware times as the ORM's, to the
    microsecond, whatever offset they were written with."""
    from datetime import UTC, datetime, timedelta, timezone

    from clearinghouse.federation.harvesting import HarvestContext
    from clearinghouse.federation.models import HarvestRun
    from tests.library.factories import DocumentFactory

    source = make_source("https://partner.example.org/oai")
    stamps = [
        None,
        datetime(2004, 3, 25, 9, 0, tzinfo=UTC),
        datetime(2004, 3, 25, 9, 0, 0, 123456, tzinfo=UTC),
        datetime(2004, 3, 25, 23, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ]
    for n, stamp in enumerate(stamps):
        DocumentProvenance.objects.create(
            document=DocumentFactory(),
            source_key=source.key,
            source_label="Partner",
            original_identifier=f"oai:p:{n}",
            datestamp=stamp,
            fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    DocumentProvenance.objects.create(
        document=DocumentFactory(),
        source_key=source.key,
        source_label="Partner",
        original_identifier="oai:p:gone",
        datestamp=stamps[1],
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        deleted_upstream=True,
    )
    context = HarvestContext(source=source, run=HarvestRun(source=source))
    context.load_known()
    assert context.known == {f"oai:p:{n}": stamp for n, stamp in enumerate(stamps)}
    assert context.known == dict(
        DocumentProvenance.objects.filter(
            source_key=source.key, deleted_upstream=False
        ).values_list("original_identifier", "datestamp")
    )


def test_datestamps_have_four_digit_years():
    from datetime import UTC, datetime, timedelta, timezone

    assert oai_time(datetime(999, 1, 2, 3, 4, 5, 600, tzinfo=UTC)) == (
        "0999-01-02T03:04:05Z"
    )
    later = datetime(2026, 5, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert oai_time(later) == "2026-05-01T00:00:00Z"


@pytest.mark.django_db(transaction=True)  # pages commit, foreign keys checked
def test_an_issue_deleted_during_a_harvest_is_no_longer_suggested(
    repository, source, monkeypatch
):
    from clearinghouse.federation import harvesting
    from clearinghouse.library.models import DocumentIssue
    from tests.factories import IssueFactory

    issue = IssueFactory(name="Internet governance")  # in every record's title
    repository.add(60)  # three pages
    give_way = harvesting.sqlite_waits.give_way
    pages = []

    def after_a_page(*args):
        pages.append(1)
        if len(pages) == 1:
            issue.delete()
        give_way(*args)

    monkeypatch.setattr(harvesting.sqlite_waits, "give_way", after_a_page)
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.created == 60
    assert not DocumentIssue.objects.exists()  # the first page's went with it
