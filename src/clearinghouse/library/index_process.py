"""Indexing in a second process, beside a long run of writes (a harvest).

This module imports no model at import time: the indexing process unpickles
its functions from here before Django is set up.
"""

import logging
from collections.abc import Iterable

logger = logging.getLogger(__name__)


# Settings the indexing process takes from the process that starts it (a test
# or a benchmark may have changed them at run time).
_SHARED_SETTINGS = ("DATABASES",)


def _start_indexing_process(overrides: dict) -> None:
    """Set Django up in a fresh indexing process with its parent's settings."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    from django.conf import settings

    for name, value in overrides.items():
        setattr(settings, name, value)
    import django

    django.setup()


def _index_in_process(ids: list[int]) -> int:
    from .indexing import index_documents

    return index_documents(ids)


def _warm_in_process() -> None:
    """Import the indexing code and open the index ahead of the first batch."""
    from .indexing import index_documents  # noqa: F401 (imported to be ready)
    from .search import get_backend

    get_backend()


def _close_in_process() -> None:
    """Let the indexing process's writer finish its merges and release the index."""
    from .search import get_backend

    close = getattr(get_backend(), "close_writer", None)
    if close is not None:
        close()


class IndexingProcess:
    """Indexing handed to a second process, so that it runs beside the writes.

    `submit(ids)` after the documents are committed; `finish()` waits until
    everything submitted is indexed. The process reads the committed
    documents itself (its own database connection) and writes the index
    through the library's usual entry point. It is started on the first
    submission. A batch the process could not index (or a process that died)
    is indexed here instead, so nothing is left out of the index.
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
        for future, ids in pending:
            try:
                future.result()
            except Exception:
                logger.exception(
                    "library.index.process_failed", extra={"document_ids": ids[:50]}
                )
                if ids:
                    _index_here(ids)
        if self._executor is not None:
            executor, self._executor = self._executor, None
            try:
                executor.submit(_close_in_process).result()
            except Exception:
                logger.exception("library.index.process_failed")
            executor.shutdown(wait=True)


def _index_here(ids: list[int]) -> None:
    from .indexing import index_documents_safely

    index_documents_safely(ids)
