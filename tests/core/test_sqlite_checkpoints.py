"""The WAL of a SQLite file is copied back by a thread beside a long writer,
not by the writer's commits (core/sqlite_checkpoints.py), on a real database
file in WAL mode; a reader's connection sees what is where."""

import sqlite3
import threading
import time

import pytest
from django.db import connection as test_connection
from django.db import transaction

from clearinghouse.core import sqlite_checkpoints
from clearinghouse.core.sqlite_checkpoints import checkpoints_beside

# Rows of about a page each: 1,500 of them leave more than the 1,000 pages
# after which a commit copies the log back by default.
ROW = "x" * 3000
ROWS = 1500


def _write(connection, rows: int = ROWS, *, per_commit: int = 300) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    for start in range(0, rows, per_commit):
        with transaction.atomic(using=connection.alias), connection.cursor() as c:
            c.executemany(
                "INSERT INTO t (v) VALUES (%s)",
                [(ROW,)] * min(per_commit, rows - start),
            )


def _pages_in_file(path) -> int:
    """Pages the database file itself holds (not its log)."""
    return path.stat().st_size // 4096


def _autocheckpoint(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "sqlite-checkpoints"]


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def told_only(monkeypatch):
    """The thread checkpoints when told, not on its own meanwhile."""
    monkeypatch.setattr(sqlite_checkpoints, "PERIOD", 3600)


def test_the_writers_commits_copy_the_log_back_without_it(database):
    connection, path = database
    _write(connection)
    # The reference: the commit past 1,000 pages copied them into the file.
    assert _pages_in_file(path) > 1000


def test_inside_the_thread_copies_the_log_back_not_the_writer(database, told_only):
    connection, path = database
    with checkpoints_beside(connection) as checkpoints:
        assert _threads() == ["sqlite-checkpoints"]
        assert _autocheckpoint(connection) == 0
        _write(connection)
        # Committed, all of it in the log: the writer's commits copied nothing.
        assert _pages_in_file(path) < 50
        checkpoints.committed()
        assert _wait_for(lambda: checkpoints.done == 1)
        assert _pages_in_file(path) > 1000
    assert checkpoints.failed is None
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (ROWS,)
    reader.close()


def test_leaving_copies_the_last_commits_and_gives_the_writer_its_checkpoints(
    database, told_only
):
    connection, path = database
    with checkpoints_beside(connection) as checkpoints:
        _write(connection)
        assert _pages_in_file(path) < 50
    # Not told of the commits: leaving copied them all the same.
    assert checkpoints.done == 1
    assert _pages_in_file(path) > 1000
    assert _threads() == []
    assert _autocheckpoint(connection) == 1000
    # And the writer's commits copy the log back again.
    before = _pages_in_file(path)
    _write(connection)
    assert _pages_in_file(path) > before + 1000


def test_an_error_inside_ends_the_thread_and_gives_the_checkpoints_back(database):
    connection, _path = database
    with (
        pytest.raises(RuntimeError, match="broken page"),
        checkpoints_beside(connection),
    ):
        _write(connection, 10)
        raise RuntimeError("broken page")
    assert _threads() == []
    assert _autocheckpoint(connection) == 1000


def test_the_thread_checkpoints_every_period_untold(database, monkeypatch):
    monkeypatch.setattr(sqlite_checkpoints, "PERIOD", 0.05)
    connection, path = database
    with checkpoints_beside(connection) as checkpoints:
        _write(connection)
        # Told nothing: it copied the log back within moments.
        assert _wait_for(lambda: checkpoints.done >= 1)
        assert _wait_for(lambda: _pages_in_file(path) > 1000)


def test_a_failed_thread_gives_the_checkpoints_back_to_the_writer(
    database, monkeypatch, caplog
):
    def refused(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite_checkpoints.sqlite3, "connect", refused)
    connection, path = database
    with checkpoints_beside(connection) as checkpoints:
        assert _wait_for(lambda: not checkpoints.alive)
        assert isinstance(checkpoints.failed, sqlite3.OperationalError)
        checkpoints.committed()
        assert _autocheckpoint(connection) == 1000
        _write(connection)
        # The writer's commits copied the log back: it did not grow for ever.
        assert _pages_in_file(path) > 1000
    assert "core.sqlite.checkpoints_failed" in caplog.text


def test_a_connection_opened_since_is_left_as_sqlite_opens_it(database, told_only):
    connection, _path = database
    with checkpoints_beside(connection):
        connection.close()
        connection.connect()
        assert _autocheckpoint(connection) == 1000
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=200")
    assert _autocheckpoint(connection) == 200  # not "restored" to 1000
    assert _threads() == []


def test_inside_a_transaction_the_writer_checkpoints_as_before(database):
    connection, _path = database
    with (
        transaction.atomic(using=connection.alias),
        checkpoints_beside(connection) as checkpoints,
    ):
        assert isinstance(checkpoints, sqlite_checkpoints.Unchanged)
        assert _threads() == []
        assert _autocheckpoint(connection) == 1000
        checkpoints.committed()  # says nothing, breaks nothing


def test_a_file_without_a_write_ahead_log_is_left_alone(database):
    connection, _path = database
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=DELETE")
    with checkpoints_beside(connection) as checkpoints:
        assert isinstance(checkpoints, sqlite_checkpoints.Unchanged)
        assert _threads() == []


@pytest.mark.django_db(transaction=True)
def test_an_in_memory_database_or_postgresql_is_left_alone():
    # The test database: SQLite in memory, or PostgreSQL (make test-scale).
    if test_connection.vendor == "sqlite":
        assert test_connection.is_in_memory_db()
    assert not test_connection.in_atomic_block
    with checkpoints_beside(test_connection) as checkpoints:
        assert isinstance(checkpoints, sqlite_checkpoints.Unchanged)
        assert _threads() == []
