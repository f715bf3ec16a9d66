"""Writers waiting for SQLite's write lock, noticed so that a long writer
(a harvest) gives way.

SQLite has one write lock per database and does not queue those who wait for
it: each waiter sleeps and retries (busy_timeout), and a process that writes
page after page takes the lock again a few milliseconds after releasing it.
Measured under bench/load (decision 0014), a first harvest held the lock 94 % of
the time, in runs of about 130 ms with gaps of about 10 ms, and the site's own
writes (a sign-in, a contribution) waited out their 5 s and failed.

Every SQLite connection times its `BEGIN`: one that waited longer than
`NOTICE_AFTER` touches a file beside the database. A harvest, after each page,
pauses when that file was touched lately (`writers_waited`), so that the waiters
find the lock free. Nothing is paused when no one waits. The timing wraps
every statement of the connection (Django's execute wrappers): 0.3 µs a query,
measured on `SELECT 1` (1.64 against 1.37 µs).
"""

import contextlib
import os
import time
from pathlib import Path

from django.conf import settings

# A BEGIN that took longer than this waited for another writer.
NOTICE_AFTER = 0.05
# How long after a noticed wait a long writer keeps giving way.
RECENT = 5.0


def _marker(connection) -> Path:
    return Path(f"{connection.settings_dict['NAME']}-writers-waited")


def _timed_begin(execute, sql, params, many, context):
    if not sql.startswith("BEGIN"):
        return execute(sql, params, many, context)
    started = time.monotonic()
    try:
        return execute(sql, params, many, context)
    finally:
        if time.monotonic() - started > NOTICE_AFTER:
            # A read-only folder: no one gives way, nothing breaks.
            with contextlib.suppress(OSError):
                _marker(context["connection"]).touch()


def watch(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: time the BEGINs of SQLite file databases."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    if _timed_begin not in connection.execute_wrappers:
        connection.execute_wrappers.append(_timed_begin)


def writers_waited(connection) -> bool:
    """Whether a writer waited for this SQLite database's lock lately."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return False
    try:
        touched = os.stat(_marker(connection)).st_mtime
    except OSError:
        return False
    return time.time() - touched < RECENT


def give_way(connection, held: float) -> None:
    """After holding the write lock `held` seconds: pause as long (at most
    `SQLITE_GIVE_WAY_MAX` seconds) if writers waited lately, else not at all."""
    if held > 0 and writers_waited(connection):
        time.sleep(min(held, settings.SQLITE_GIVE_WAY_MAX))
