"""A worker killed in the middle of a harvest, then another started, ends with
the same records as an uninterrupted harvest.

For real: the project's `clearinghouse worker` command in other processes (the
embedded django-tasks-db worker on an SQLite file; an RQ worker on Redis with
PostgreSQL under `make test-scale`), a loopback OAI-PMH repository, SIGKILL
while the repository holds the answer to one page. The harvest's lock expires
when its worker stops renewing it; the source is still due (the killed run
never moved its schedule or cursor), so the next `harvest --due --enqueue`
queues it again and another worker finishes the listing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.federation.oai_server import OaiRepository, serve

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3
RECORDS, PAGE_SIZE = 48, 8
# Request 0 is Identify, 1 the first page: the worker dies while waiting for
# the fourth page, with three pages committed.
HOLD_AT_REQUEST = 4

SETUP = """
from tests.factories import InstitutionFactory
from clearinghouse.federation.models import Source, SourceKind, SourceStatus
from clearinghouse.federation.tasks import harvest_source_task
source = Source.objects.create(
    name="Partner repository", kind=SourceKind.OAI_PMH, url={url!r},
    institution=InstitutionFactory(slug="partner"), status=SourceStatus.ACTIVE,
)
harvest_source_task.enqueue(source.pk)
"""

# What the harvest left, read straight from the database (no Django start-up).
RECORDS_SQL = (
    "SELECT p.original_identifier, p.deleted_upstream, d.status, d.title, "
    "d.summary, p.datestamp FROM library_documentprovenance p "
    "JOIN library_document d ON d.id = p.document_id ORDER BY 1"
)
COUNT_SQL = "SELECT count(*) FROM {}"
RUNS_SQL = "SELECT status FROM federation_harvestrun ORDER BY id"


class HeldRepository:
    """The OAI-PMH repository, holding the answer to one request until told."""

    def __init__(self, repository: OaiRepository) -> None:
        self.repository = repository
        self.hold_at: int | None = None
        self.count = 0
        self.lock = threading.Lock()
        self.reached = threading.Event()
        self.release = threading.Event()

    def route(self, handler) -> None:
        with self.lock:
            number, self.count = self.count, self.count + 1
        if number == self.hold_at:
            self.reached.set()
            self.release.wait(120)
        self.repository.route(handler)

    def arm(self, at: int) -> None:
        with self.lock:
            self.count, self.hold_at = 0, at
        self.reached.clear()
        self.release.clear()


@pytest.fixture
def repository():
    repository = OaiRepository(page_size=PAGE_SIZE, overlap=2)
    repository.add(RECORDS)
    for n in (5, 17, 30):
        repository.records[f"oai:repository.example.org:{n}"].deleted = True
    held = HeldRepository(repository)
    with serve(repository) as server:
        server.routes["/oai"] = held.route
        held.url = server.url("/oai")
        yield held
        held.release.set()


class Installation:
    """A fresh database (with its own var folder) that commands run against."""

    def __init__(self, env: dict[str, str], connect) -> None:
        self.env = env
        self.connect = connect

    def run(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "clearinghouse.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (args, result.stderr[-3000:])
        return result.stdout

    def shell(self, code: str) -> str:
        return self.run("shell", "--no-imports", "-c", code)

    def query(self, sql: str) -> list[tuple]:
        with contextlib.closing(self.connect()) as conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]

    def runs(self) -> list[str]:
        return [status for (status,) in self.query(RUNS_SQL)]

    def dump(self) -> dict:
        return {
            "records": self.query(RECORDS_SQL),
            "documents": self.query(COUNT_SQL.format("library_document"))[0][0],
            "runs": self.runs(),
        }

    def start_worker(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "clearinghouse.cli", "worker"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def _env(tmp_path: Path, name: str, **values: str) -> dict[str, str]:
    folder = tmp_path / name
    folder.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
        "CLEARINGHOUSE_VAR_DIR": str(folder),
        "FEDERATION_ALLOW_LOOPBACK": "1",
        "FEDERATION_LEASE_SECONDS": str(LEASE_SECONDS),
        "FEDERATION_RETRY_BASE": "0.01",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    env.pop("TASKS_BACKEND", None)
    env.update(values)
    return env


@pytest.fixture
def installations(tmp_path, django_db_setup, django_db_blocker):
    """Two fresh databases copied from the migrated test database (no data is
    written to it here): SQLite files with the embedded queue, or PostgreSQL
    databases with the Redis queue in a Redis database of their own."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with django_db_blocker.unblock():
            connection.ensure_connection()
            copies = [_sqlite_copy(connection.connection, tmp_path, n) for n in NAMES]
        yield copies
        return
    yield from _postgresql_copies(tmp_path, connection, django_db_blocker)


NAMES = ("reference", "killed")


def _sqlite_copy(source, tmp_path: Path, name: str) -> Installation:
    path = tmp_path / f"{name}.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as target:
        source.backup(target)
    return Installation(
        _env(tmp_path, name, DATABASE_URL=f"sqlite:///{path}"),
        lambda: sqlite3.connect(path),
    )


def _postgresql_copies(tmp_path: Path, connection, blocker):
    import psycopg
    import redis
    from psycopg import sql

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set: run this with `make test-scale`.")
    queue_url = url.rsplit("/", 1)[0] + "/9"
    redis.Redis.from_url(queue_url).flushdb()
    db = connection.settings_dict
    server = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    template = db["NAME"]
    names = {n: f"igc_kill_{uuid.uuid4().hex[:8]}_{n}" for n in NAMES}
    with blocker.unblock():
        # A template must have no other session while it is copied.
        connection.close()
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as conn:
            for database in names.values():
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(database), sql.Identifier(template)
                    )
                )
    yield [
        Installation(
            _env(
                tmp_path,
                name,
                DATABASE_URL=f"postgres://{auth}@{server['host']}:{server['port']}/"
                f"{database}",
                REDIS_URL=queue_url,
            ),
            lambda database=database: psycopg.connect(**server, dbname=database),
        )
        for name, database in names.items()
    ]
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as conn:
        for database in names.values():
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(database)
                )
            )
    redis.Redis.from_url(queue_url).flushdb()


def _until_idle(
    worker: subprocess.Popen, installation: Installation, *, runs: int = 1
) -> dict:
    """Wait until the queue has run the harvest to its end (the source has
    `runs` runs, none still going), then stop the worker. Counting the runs
    matters: the resumed harvest first closes the killed run as failed, and
    that run alone looked finished before the new one was recorded."""
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            assert worker.poll() is None, "the worker stopped by itself"
            statuses = installation.runs()
            if len(statuses) >= runs and all(
                status in {"succeeded", "partial", "failed"} for status in statuses
            ):
                return installation.dump()
            time.sleep(0.5)
        pytest.fail("the harvest did not finish within 300 s")
    finally:
        _stop(worker, signal.SIGTERM)


def _descendants(pid: int) -> list[int]:
    """The processes under `pid` (an RQ worker runs each job in a forked
    "work horse" that starts a session of its own, out of the worker's group)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _stop(worker: subprocess.Popen, sig: int) -> None:
    """Signal the worker; SIGKILL (at once, or after a minute's wait for a
    worker stopping gracefully) kills its whole tree, as a lost machine would."""
    tree = _descendants(worker.pid) if worker.poll() is None else []

    def kill() -> None:
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)

    if sig == signal.SIGKILL:
        kill()
    elif worker.poll() is None:
        os.killpg(worker.pid, sig)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        kill()
        worker.wait(timeout=30)


def _killed_and_resumed(repository: HeldRepository, reference, killed) -> None:
    killed.shell(SETUP.format(url=repository.url))
    repository.arm(HOLD_AT_REQUEST)
    worker = killed.start_worker()
    try:
        assert repository.reached.wait(240), "the worker never asked for page four"
        _stop(worker, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            _stop(worker, signal.SIGKILL)
        repository.release.set()
    halfway = killed.dump()
    assert halfway["runs"] == ["running"]
    written = {r[0] for r in halfway["records"]}
    assert 0 < len(written) < RECORDS

    # A second worker while the dead one's lock is still fresh skips the
    # source; once the lock has expired, the source is due and queued again.
    time.sleep(LEASE_SECONDS + 1)
    assert "Queued 1 harvest(s)." in killed.run("harvest", "--due", "--enqueue")
    repository.arm(-1)
    resumed = _until_idle(killed.start_worker(), killed, runs=2)

    repository.arm(-1)
    reference.shell(SETUP.format(url=repository.url))
    uninterrupted = _until_idle(reference.start_worker(), reference)

    assert uninterrupted["runs"] == ["succeeded"]
    assert resumed["runs"] == ["failed", "succeeded"]
    assert resumed["records"] == uninterrupted["records"]
    assert resumed["documents"] == uninterrupted["documents"]
    live = {r[0] for r in resumed["records"] if not r[1]}
    assert live == repository.repository.live()


# Transactional: the test writes nothing to the test database, and the copies
# must be taken outside a transaction (PostgreSQL copies a template with no
# session open on it).
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_what_an_uninterrupted_harvest_leaves(
    repository, installations
):
    reference, killed = installations
    _killed_and_resumed(repository, reference, killed)
