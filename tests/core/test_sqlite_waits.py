"""A writer that waited for SQLite's write lock is noticed, and a long writer
gives way then (core/sqlite_waits.py), on a real database file locked by a real
second connection."""

import os
import sqlite3
import threading
import time

from clearinghouse.core import sqlite_waits


def _hold_lock(path, seconds: float) -> threading.Thread:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")

    def release():
        time.sleep(seconds)
        other.execute("ROLLBACK")
        other.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_a_begin_that_waited_for_the_lock_is_noticed(database):
    connection, path = database
    assert not sqlite_waits.writers_waited(connection)
    holder = _hold_lock(path, 0.3)
    with connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")  # waits for the holder
        cursor.execute("ROLLBACK")
    holder.join()
    assert sqlite_waits.writers_waited(connection)


def test_a_begin_that_did_not_wait_is_not_noticed(database):
    connection, _path = database
    with connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("ROLLBACK")
    assert not sqlite_waits.writers_waited(connection)


def test_an_old_wait_is_forgotten(database):
    connection, path = database
    marker = sqlite_waits._marker(connection)
    marker.touch()
    assert sqlite_waits.writers_waited(connection)
    old = time.time() - sqlite_waits.RECENT - 1
    os.utime(marker, (old, old))
    assert not sqlite_waits.writers_waited(connection)


def test_a_long_writer_gives_way_only_when_writers_waited(database, settings):
    connection, _path = database
    settings.SQLITE_GIVE_WAY_MAX = 0.2
    started = time.monotonic()
    sqlite_waits.give_way(connection, 0.5)
    assert time.monotonic() - started < 0.05  # no one waited: no pause
    sqlite_waits._marker(connection).touch()
    started = time.monotonic()
    sqlite_waits.give_way(connection, 0.5)
    assert 0.2 <= time.monotonic() - started < 0.4  # capped at the maximum
