"""A SQLite database's write-ahead log copied back beside a long writer (a
harvest), not by it.

In WAL mode, a commit that leaves the log over `wal_autocheckpoint` pages
(1,000 by default) copies the log back into the database file before it
returns: the writer pays for it while it holds the write lock. In a first
harvest of 100,000 records that was more than half of what its commits cost,
6 µs a record (decision record 0007, §33). Inside `checkpoints_beside`, the
writer's connection does not checkpoint; a thread of its own does, with a
connection of its own, each time the writer says it committed
(`Checkpoints.committed`) and at least every `PERIOD` seconds. The thread's
checkpoints are PASSIVE: they wait for no reader and no writer, and copy what
was committed. The interpreter lets go of its lock while SQLite works, so the
copying runs on another core.

Nothing changes for a database that is not a SQLite file in WAL mode (an
in-memory database, PostgreSQL), nor inside a transaction of the caller's
(a dry run, a test): there the writer checkpoints as before.
"""

import logging
import sqlite3
import threading
from contextlib import contextmanager

logger = logging.getLogger(__name__)

# At least this often (seconds) the thread checkpoints, told or not.
PERIOD = 0.5


class Checkpoints:
    """The checkpointing thread beside one writer's connection (a Django
    connection to a SQLite file in WAL mode, used by the calling thread)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.name = connection.settings_dict["NAME"]
        self.done = 0  # checkpoints that ran
        self.failed: Exception | None = None
        self._raw = connection.connection
        (self._every,) = _pragma(connection, "PRAGMA wal_autocheckpoint")
        self._wake = threading.Event()
        self._stop = False
        self._thread = threading.Thread(
            target=self._run, name="sqlite-checkpoints", daemon=True
        )

    @property
    def alive(self) -> bool:
        """Whether the thread still checkpoints (it stops on an error)."""
        return self._thread.is_alive()

    def start(self) -> None:
        """The writer's commits stop checkpointing; the thread starts."""
        _pragma(self.connection, "PRAGMA wal_autocheckpoint=0")
        self._thread.start()

    def committed(self) -> None:
        """Say that the writer committed: the thread copies it back now (or,
        should the thread have failed, the writer's commits do again)."""
        if self.alive:
            self._wake.set()
        else:
            self._restore()

    def stop(self) -> None:
        """Checkpoint once more (what was committed last), end the thread,
        and give the checkpoints back to the writer's commits."""
        self._stop = True
        self._wake.set()
        self._thread.join()
        self._restore()

    def _restore(self) -> None:
        # The same connection (not one opened since, which checkpoints by
        # default): as it was.
        if self.connection.connection is self._raw:
            _pragma(self.connection, f"PRAGMA wal_autocheckpoint={int(self._every)}")

    def _run(self) -> None:
        try:
            database = sqlite3.connect(self.name, timeout=5, isolation_level=None)
        except sqlite3.Error as error:
            self._fail(error)
            return
        try:
            while True:
                self._wake.wait(PERIOD)
                self._wake.clear()
                # Read before the checkpoint: a stop during it wakes the loop again.
                stopping = self._stop
                # PASSIVE never waits: what a reader still needs stays in
                # the log until a later checkpoint.
                database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.done += 1
                if stopping:
                    return
        except sqlite3.Error as error:
            self._fail(error)
        finally:
            database.close()

    def _fail(self, error: Exception) -> None:
        logger.warning(
            "core.sqlite.checkpoints_failed",
            extra={"database": self.name, "error": str(error)},
        )
        self.failed = error


class Unchanged:
    """What `checkpoints_beside` gives where the writer checkpoints itself."""

    def committed(self) -> None:
        """Nothing to say: the writer's own commits checkpoint."""


def _pragma(connection, statement: str):
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchone()


@contextmanager
def checkpoints_beside(connection):
    """Inside: the WAL of `connection`'s SQLite file is checkpointed by a
    thread beside it, not by its commits; the writer calls `committed()` on
    what this yields after its main commits (a harvest's pages), and the
    others are copied within `PERIOD`. On leaving, the thread checkpoints
    once more and ends, and the connection's commits checkpoint as before."""
    if (
        connection.vendor != "sqlite"
        or connection.is_in_memory_db()
        or connection.in_atomic_block
        or _pragma(connection, "PRAGMA journal_mode")[0].lower() != "wal"
    ):
        yield Unchanged()
        return
    checkpoints = Checkpoints(connection)
    checkpoints.start()
    try:
        yield checkpoints
    finally:
        checkpoints.stop()
