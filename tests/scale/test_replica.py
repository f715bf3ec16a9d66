"""A real read replica: the hot standby that `make test-scale` streams from its
PostgreSQL primary (scripts/scale-services), and a real psycopg pool.

The suite itself runs on the primary alone; these tests add the `replica`
alias, pointed at the standby's copy of the test database, for their own
duration.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clearinghouse.core.databases import LSN_COOKIE, REPLICA
from tests.factories import IssueFactory

# Committed writes, as in production: the standby sees only what is committed.
pytestmark = [
    pytest.mark.scale,
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "x-Long-pass-phrase-42"


@pytest.fixture
def standby(settings):
    """Reads on the standby; a psycopg connection to drive it."""
    if not os.environ.get("DATABASE_REPLICA_URL"):
        pytest.fail(
            "DATABASE_REPLICA_URL is not set: run these tests with `make test-scale`."
        )
    settings.DATABASE_REPLICA_READS = True
    replica = connections[REPLICA].settings_dict
    assert replica["NAME"] == connections["default"].settings_dict["NAME"]
    control = psycopg.connect(
        host=replica["HOST"],
        port=replica["PORT"],
        user="postgres",
        dbname="postgres",
        autocommit=True,
    )
    yield control
    control.execute("SELECT pg_wal_replay_resume()")
    control.close()


def _caught_up(control, *, timeout: float = 30) -> None:
    """Wait until the standby has replayed everything the primary wrote."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = control.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
        ).fetchone()
        if row[0]:
            return
        time.sleep(0.05)
    pytest.fail(f"the standby did not replay {target} within {timeout} s")


def _tables_read(queries) -> list[str]:
    return [q["sql"] for q in queries if " FROM " in q["sql"] and "pg_" not in q["sql"]]


def test_safe_requests_read_the_standby(client, standby):
    issue = IssueFactory(name="Spam over the replica")
    _caught_up(standby)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(f"/en/issues/{issue.slug}/")
    assert response.status_code == 200
    assert "Spam over the replica" in response.content.decode()
    assert _tables_read(on_replica.captured_queries)
    assert _tables_read(on_primary.captured_queries) == []
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # really the standby


def test_a_writer_reads_the_primary_until_the_standby_has_replayed_the_write(
    client, standby
):
    get_user_model().objects.create_user("reader", "reader@example.org", PASSWORD)
    _caught_up(standby)
    standby.execute("SELECT pg_wal_replay_pause()")

    # The sign-in writes the session on the primary, which the standby,
    # paused, does not have.
    response = client.post(
        "/en/accounts/login/", {"username": "reader", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert LSN_COOKIE in response.cookies
    position = response.cookies[LSN_COOKIE].value
    assert response.cookies[LSN_COOKIE]["httponly"]

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/en/accounts/profile/")
    assert response.status_code == 200  # signed in: the session was read
    assert _tables_read(on_replica.captured_queries) == []

    # Without the position, the same session goes to the standby, which
    # does not know it yet: that reader would have looked signed out.
    other = Client()
    session = django_settings.SESSION_COOKIE_NAME
    other.cookies[session] = client.cookies[session].value
    response = other.get("/en/accounts/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

    # Once the standby has replayed the write, it serves this reader too.
    standby.execute("SELECT pg_wal_replay_resume()")
    _caught_up(standby)
    assert client.cookies[LSN_COOKIE].value == position
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/en/accounts/profile/")
    assert response.status_code == 200
    assert _tables_read(on_replica.captured_queries)


@pytest.mark.parametrize(
    "cookie", ["", "garbage", "0/0'; DROP TABLE x;--", "1/" + "F" * 9]
)
def test_a_position_cookie_we_did_not_write_is_ignored(client, standby, cookie):
    issue = IssueFactory(name="Cookie check")
    _caught_up(standby)
    client.cookies[LSN_COOKIE] = cookie
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(f"/en/issues/{issue.slug}/")
    assert response.status_code == 200
    assert _tables_read(on_replica.captured_queries)


def test_an_unreachable_replica_is_skipped_not_an_error(client, standby):
    issue = IssueFactory(name="Primary only")
    replica = connections[REPLICA]
    replica.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    real = replica.settings_dict["PORT"]
    replica.settings_dict["PORT"] = closed
    try:
        response = client.get(f"/en/issues/{issue.slug}/")
    finally:
        replica.close()
        replica.settings_dict["PORT"] = real
    assert response.status_code == 200
    assert "Primary only" in response.content.decode()


POOL_SCRIPT = """
import threading
from django.db import connection, connections

def work():
    for _ in range(5):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.add(cursor.fetchone()[0])
        connection.close()  # back to the pool

pids = set()
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
pool = connections["default"].pool
print(pool.max_size, len(pids), pool.get_stats().get("requests_num", 0))
"""


def test_a_process_shares_a_pool_of_connections_among_its_threads():
    primary = connections["default"].settings_dict
    url = (
        f"postgres://{primary['USER']}@{primary['HOST']}:{primary['PORT']}"
        f"/{primary['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_POOL_SIZE": "3",
        "DATABASE_REPLICA_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "clearinghouse.cli", "shell", "-c", POOL_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    max_size, backends, requests = map(int, result.stdout.split()[-3:])
    assert max_size == 3
    # 40 connection requests by 8 threads, served by at most 3 connections.
    assert 1 <= backends <= 3
    assert requests == 40
