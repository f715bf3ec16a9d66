"""Indexing in a second process, beside a long run of writes (a harvest).

This module imports no model at import time: the indexing process unpickles
its functions from here before Django is set up.
"""

import logging
import threading
import time
from collections.abc import Iterable

logger = logging.getLogger(__name__)

# The indexing process commits the index once COMMIT_EVERY documents have
# waited since its last commit, or COMMIT_SECONDS have passed since the first
# of them, and when it closes. Each commit costs about as much as indexing
# the documents it makes visible when it comes every 500 (a harvest's page),
# a tenth of that every 5,000 (decision record 0007); a commit now and then
# keeps a long harvest visible as it goes, and other writers of the index
# (which wait for the process's writer) waiting no more than seconds.
COMMIT_EVERY = 5_000
COMMIT_SECONDS = 5.0


# Settings the indexing process takes from the process that starts it (a test
# or a benchmark may have changed them at run time).
_SHARED_SETTINGS = ("DATABASES",)


def _start_indexing_process(overrides: dict) -> None:
    """Set Django up in a fresh indexing process with its parent's settings,
    at a lower priority (`SEARCH_INDEXING_NICENESS`)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    from django.conf import settings

    for name, value in overrides.items():
        setattr(settings, name, value)
    # Before any thread starts (the index writer's come later and inherit
    # it): on a machine of two cores the process shares them with the
    # harvest, its commits' checkpoints, the site and the index writer's own
    # threads; at the same priority the harvest's first 100,000 records
    # took about 8 % longer (decision record 0007, §44).
    _lower_priority(settings.SEARCH_INDEXING_NICENESS)
    import django

    django.setup()


def _lower_priority(niceness: int) -> None:
    """Add `niceness` to this process's (none where the system has no `nice`;
    a refusal leaves the priority as it is)."""
    import os

    if niceness > 0 and hasattr(os, "nice"):
        try:
            os.nice(niceness)
        except OSError:
            logger.warning("library.index.niceness_refused")


class _Waiting:
    """In the indexing process: what was indexed without a commit, since when."""

    documents = 0
    since = 0.0
    timer: threading.Timer | None = None
    # A commit of the timer that failed, raised by the next call instead (the
    # harvest's process then indexes again what was not committed).
    failed: Exception | None = None


def _commit_on_time() -> None:
    """The timer's commit: a failure is kept for the next call, not lost."""
    try:
        _commit_in_process()
    except Exception as error:
        logger.exception("library.index.commit_failed")
        _Waiting.failed = error


def _raise_failed_commit() -> None:
    if _Waiting.failed is not None:
        error, _Waiting.failed = _Waiting.failed, None
        _Waiting.documents = 0
        raise error


def _commit_in_process() -> None:
    from .search import get_backend

    if _Waiting.timer is not None:
        _Waiting.timer.cancel()
        _Waiting.timer = None
    _Waiting.documents = 0
    get_backend().commit()


def _index_in_process(ids: list[int]) -> bool:
    """Index these documents, committing when enough has waited (see
    COMMIT_EVERY); whether everything indexed so far is now committed."""
    from .indexing import index_documents

    _raise_failed_commit()
    if not _Waiting.documents:
        _Waiting.since = time.monotonic()
    try:
        index_documents(ids, commit=False)
    except Exception:
        # The engine rolled back everything not committed: the harvest's
        # process indexes it again (see `IndexingProcess.finish`).
        _Waiting.documents = 0
        raise
    _Waiting.documents += len(ids)
    waited = time.monotonic() - _Waiting.since
    if _Waiting.documents >= COMMIT_EVERY or waited >= COMMIT_SECONDS:
        _commit_in_process()
        return True
    if _Waiting.timer is None:
        # A harvest that slows down (a slow partner) still shows its
        # documents within seconds.
        _Waiting.timer = threading.Timer(
            max(0.0, COMMIT_SECONDS - waited), _commit_on_time
        )
        _Waiting.timer.daemon = True
        _Waiting.timer.start()
    return False


def _warm_in_process() -> None:
    """Import the indexing code and open the index ahead of the first batch."""
    from .indexing import index_documents  # noqa: F401 (imported to be ready)
    from .search import get_backend

    get_backend()


def _close_in_process() -> None:
    """Commit what waits, let the indexing process's writer finish its merges
    and release the index."""
    from .search import get_backend

    try:
        _raise_failed_commit()
        _commit_in_process()
    finally:
        close = getattr(get_backend(), "close_writer", None)
        if close is not None:
            close()


class IndexingProcess:
    """Indexing handed to a second process, so that it runs beside the writes.

    `submit(ids)` after the documents are committed; `finish()` waits until
    everything submitted is indexed and committed. The process reads the
    committed documents itself (its own database connection) and writes the
    index through the library's usual entry point, committing every
    COMMIT_EVERY documents (or COMMIT_SECONDS) and at the end. It is started
    on the first submission. What the process could not index or commit (a
    failed batch rolls back everything since its last commit; a process may
    die) is indexed here instead, once the process has released the index,
    so nothing is left out of the index.
    """

    def __init__(self) -> None:
        self._executor = None
        self._pending: list[tuple[object, list[int]]] = []

    @property
    def started(self) -> bool:
        """Whether the process runs (started, or given something to index)."""
        return self._executor is not None

    @staticmethod
    def usable() -> bool:
        """Whether another process can see what this one commits: not inside
        a transaction of the caller's (a test, a dry run), not an in-memory
        database."""
        from django.db import connection

        if connection.in_atomic_block:
            return False
        return not (connection.vendor == "sqlite" and connection.is_in_memory_db())

    def start(self) -> None:
        """Start the process now (it is otherwise started by the first
        submission), so that its start-up runs beside what comes first."""
        if self._executor is None:
            self._spawn()
            self._pending.append((self._executor.submit(_warm_in_process), []))

    def submit(self, ids: Iterable[int]) -> None:
        """Index these (committed) documents in the indexing process."""
        ids = sorted(set(ids))
        if not ids:
            return
        if self._executor is None:
            self._spawn()
        try:
            future = self._executor.submit(_index_in_process, ids)
        except Exception:  # the process died (BrokenProcessPool): index here
            logger.exception("library.index.process_failed")
            _index_here(ids)
            return
        self._pending.append((future, ids))

    def _spawn(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from django.conf import settings

        self._executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_indexing_process,
            initargs=(
                {
                    name: getattr(settings, name)
                    for name in dir(settings)
                    if name in _SHARED_SETTINGS or name.startswith("SEARCH_")
                },
            ),
        )

    def finish(self) -> None:
        """Wait for everything submitted; index here what the process could not."""
        pending, self._pending = self._pending, []
        failed: list[int] = []
        uncommitted: list[int] = []  # handed over since the process's last commit
        for future, ids in pending:
            uncommitted.extend(ids)
            try:
                committed = future.result()
            except Exception:
                logger.exception(
                    "library.index.process_failed", extra={"document_ids": ids[:50]}
                )
                failed.extend(uncommitted)
                uncommitted = []
                continue
            if committed:
                uncommitted = []
        if self._executor is not None:
            executor, self._executor = self._executor, None
            try:
                executor.submit(_close_in_process).result()
            except Exception:
                logger.exception("library.index.process_failed")
                failed.extend(uncommitted)
            # Once the index is committed and its writer let go, the process
            # ends on its own: its interpreter's exit took a third of a second
            # (decision record 0007, §34), not waited for, unless something
            # failed (a process that died holds the writer's lock until it
            # has exited).
            executor.shutdown(wait=bool(failed))
        if failed:
            # Only now: the process held the index's writer until it closed.
            _index_here(failed)


def _index_here(ids: list[int]) -> None:
    from .indexing import index_documents_safely

    index_documents_safely(ids)
