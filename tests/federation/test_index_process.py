"""A large harvest indexes in a second process, and ends with a complete index.

On PostgreSQL (`make test-services`) the indexing process runs; on the
in-memory SQLite database of the other tests it cannot see the harvest's
commits, and the harvest indexes in its own process instead.
"""

import multiprocessing
import os
import time

import pytest
from django.db import connection, transaction

from clearinghouse.federation import harvesting
from clearinghouse.federation.models import RunStatus
from clearinghouse.federation.services import source_harvest
from clearinghouse.library import index_process
from clearinghouse.library.index_process import IndexingProcess
from clearinghouse.library.models import Document
from clearinghouse.library.search import get_backend
from tests.library.factories import DocumentFactory

from .oai_server import OaiRepository, serve

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _index(settings, tmp_path):
    """A fresh embedded index per test (PostgreSQL keeps its own, cleared)."""
    settings.SEARCH_INDEX_DIR = str(tmp_path / "search")
    get_backend().clear()


@pytest.mark.parametrize("engine", ["", "tantivy"])
def test_a_large_harvest_is_in_the_search_index_when_it_ends(
    make_source, monkeypatch, settings, engine
):
    # Hand the indexing process a few documents at a time: several batches,
    # committed together when the process ends (the embedded engine's
    # commits wait for 5,000 documents or 5 seconds).
    if engine:
        settings.SEARCH_BACKEND = engine
    monkeypatch.setattr(harvesting, "INDEX_PROCESS_BATCH_SIZE", 60)
    repository = OaiRepository(page_size=50)
    repository.add(330)
    with serve(repository) as server:
        run = source_harvest(source=make_source(server.url("/oai")))
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.created == 330
    assert Document.objects.published().count() == 330
    assert get_backend().count() == 330


def test_the_indexing_process_is_used_only_where_it_sees_the_commits():
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    assert IndexingProcess.usable() is not in_memory
    with transaction.atomic():
        # Inside a caller's transaction, nothing is committed yet.
        assert IndexingProcess.usable() is False


def test_an_empty_submission_starts_no_process():
    indexer = IndexingProcess()
    indexer.submit([])
    indexer.finish()
    assert indexer._executor is None


def test_a_process_started_ahead_then_given_nothing_ends_with_the_index_unchanged():
    # A first harvest starts the process before its first page; if the
    # source then yields nothing, finishing still closes it cleanly.
    indexer = IndexingProcess()
    indexer.start()
    assert indexer.started
    indexer.finish()
    assert not indexer.started
    assert get_backend().count() == 0


def _niceness_of_the_indexing_process() -> int:
    indexer = IndexingProcess()
    indexer.start()
    try:
        return indexer._executor.submit(os.nice, 0).result(timeout=60)
    finally:
        indexer.finish()


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_the_indexing_process_runs_at_a_lower_priority_than_the_harvest(settings):
    # Beside a harvest on two cores, the process gives way to the harvest
    # (which holds the database's write lock) and to the site.
    settings.SEARCH_INDEXING_NICENESS = 7
    assert _niceness_of_the_indexing_process() == min(19, os.nice(0) + 7)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_a_niceness_of_zero_leaves_the_indexing_process_at_the_harvests_priority(
    settings,
):
    settings.SEARCH_INDEXING_NICENESS = 0
    assert _niceness_of_the_indexing_process() == os.nice(0)


def test_a_refused_niceness_is_logged_not_raised(monkeypatch, caplog):
    def refuse(increment):
        raise PermissionError("not permitted")

    monkeypatch.setattr(os, "nice", refuse, raising=False)
    index_process._lower_priority(5)
    assert "library.index.niceness_refused" in caplog.text


def test_finishing_leaves_the_index_complete_and_no_process_behind():
    documents = DocumentFactory.create_batch(3)
    get_backend().clear()
    indexer = IndexingProcess()
    indexer.submit([d.pk for d in documents])
    indexer.finish()
    if IndexingProcess.usable():  # the process sees the documents
        assert get_backend().count() == 3
    # Not waited for: it ends on its own, moments later.
    deadline = time.monotonic() + 30
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def test_what_the_process_could_not_index_is_indexed_here_once_it_ends(settings):
    # The process is given a search backend that cannot be loaded: every
    # batch fails there, and the harvest's process indexes them itself.
    documents = DocumentFactory.create_batch(3)
    configured = getattr(settings, "SEARCH_BACKEND", "")
    settings.SEARCH_BACKEND = "clearinghouse.library.search.missing.Backend"
    indexer = IndexingProcess()
    indexer.submit([documents[0].pk])
    indexer.submit([d.pk for d in documents[1:]])
    settings.SEARCH_BACKEND = configured
    indexer.finish()
    assert not indexer.started
    assert get_backend().count() == 3


def test_a_commit_the_timer_could_not_make_is_raised_by_the_next_call(settings):
    # The indexing process's functions, run here: the timer's commit fails
    # (its backend cannot be loaded); the next call raises it, so that the
    # harvest's process indexes again what was not committed, and the calls
    # after it work.
    documents = DocumentFactory.create_batch(2)
    configured = getattr(settings, "SEARCH_BACKEND", "")
    settings.SEARCH_BACKEND = "clearinghouse.library.search.missing.Backend"
    index_process._commit_on_time()
    settings.SEARCH_BACKEND = configured
    with pytest.raises(ImportError):
        index_process._index_in_process([documents[0].pk])
    index_process._index_in_process([d.pk for d in documents])
    index_process._close_in_process()
    assert get_backend().count() == 2
    # At the end: the failure is raised by closing, which still lets the
    # index's writer go.
    settings.SEARCH_BACKEND = "clearinghouse.library.search.missing.Backend"
    index_process._commit_on_time()
    settings.SEARCH_BACKEND = configured
    with pytest.raises(ImportError):
        index_process._close_in_process()
    assert getattr(get_backend(), "_writer_", None) is None
