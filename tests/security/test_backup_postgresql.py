"""Backups on PostgreSQL: pg_dump under writes, pg_restore into an empty database.

These run where the suite runs on PostgreSQL (`make test-scale`, which starts
a throwaway server); on SQLite, tests/core/test_backup.py covers the same
ground with the SQLite online backup.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from tests.core.test_backup import WRITER

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == (
    "django.db.backends.postgresql"
)
pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="needs PostgreSQL: run `make test-scale`"
)


def _server():
    """psycopg connection arguments for the server's maintenance database."""
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
    }


@pytest.fixture
def databases():
    """Two fresh databases on the test server, dropped afterwards."""
    import psycopg
    from psycopg import sql

    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("live", "empty")]
    with psycopg.connect(**_server(), autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield names
    with psycopg.connect(**_server(), autocommit=True) as conn:
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


def _env(tmp_path, name):
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{name}",
        "CLEARINGHOUSE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
    }


def _run(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "clearinghouse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _counts(name):
    import psycopg
    from psycopg import sql

    with psycopg.connect(**{**_server(), "dbname": name}) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        count = sql.SQL("SELECT COUNT(*) FROM {}")
        return {
            table: conn.execute(count.format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


def test_pg_backup_under_writes_restores_into_an_empty_database(tmp_path, databases):
    live_name, empty_name = databases
    live = _env(tmp_path, live_name)
    assert _run(live, "migrate", "-v0").returncode == 0
    writer = subprocess.Popen(
        [sys.executable, "-m", "clearinghouse.cli", "shell", "-c"]
        + [WRITER.format(seconds=4)],
        env=live,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    during = _run(live, "backup", str(tmp_path / "during.dump"))
    assert during.returncode == 0, during.stderr
    written = int(writer.communicate(timeout=120)[0].split()[-1])
    assert written > 0
    assert (tmp_path / "during.dump").read_bytes()[:5] == b"PGDMP"
    assert not (tmp_path / "during.dump.partial").exists()

    after = _run(live, "backup", str(tmp_path / "after.dump"))
    assert after.returncode == 0, after.stderr
    empty = _env(tmp_path, empty_name)
    restored = _run(empty, "restore", "--yes", str(tmp_path / "after.dump"))
    assert restored.returncode == 0, restored.stderr
    live_counts, restored_counts = _counts(live_name), _counts(empty_name)
    assert restored_counts["taxonomy_area"] == written
    # Each side has written one more audit entry since: the backup on the
    # live one, the restore on the restored one.
    assert restored_counts == live_counts


def test_pg_restore_refuses_a_file_that_is_not_a_backup(tmp_path, databases):
    env = _env(tmp_path, databases[0])
    assert _run(env, "migrate", "-v0").returncode == 0
    (tmp_path / "fake.dump").write_bytes(b"not a dump at all")
    result = _run(env, "restore", "--yes", str(tmp_path / "fake.dump"))
    assert result.returncode != 0
    assert "is not a PostgreSQL backup" in result.stderr
    # A truncated archive is refused before anything is touched.
    assert _run(env, "backup", str(tmp_path / "good.dump")).returncode == 0
    data = (tmp_path / "good.dump").read_bytes()
    (tmp_path / "cut.dump").write_bytes(data[: len(data) // 2])
    before = _counts(databases[0])
    cut = _run(env, "restore", "--yes", str(tmp_path / "cut.dump"))
    assert cut.returncode != 0
    assert _counts(databases[0]) == before
