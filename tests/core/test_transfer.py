"""Moving an embedded installation's data into another database, for real.

The source is an SQLite file prepared by the real commands (migrate, the
reference data, the Forum 2004 dataset, an edit that leaves history). The
target is a fresh database of the engine the suite runs on: another SQLite
file by default, a new PostgreSQL database under `make test-scale`.
"""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

EDIT = (
    "from clearinghouse.taxonomy.models import Issue; "
    "issue = Issue.objects.get(slug='spam'); "
    "issue.name_fr = 'Pourriel (courrier indésirable)'; issue.save()"
)


def _run(*args, database_url: str, check: bool = True):
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "clearinghouse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, (args, result.stderr[-3000:])
    return result


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("source") / "clearinghouse.sqlite3"
    url = f"sqlite:///{path}"
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["load_reference_data", "-v", "0"],
        ["load_forum2004", "-v", "0"],
        ["shell", "--no-imports", "-c", EDIT],
    ):
        _run(*command, database_url=url)
    return url


def _sqlite_counts(path: str) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
        query = 'SELECT count(*) FROM "{}"'  # table names from sqlite_master
        return {t: db.execute(query.format(t)).fetchone()[0] for t in tables}


@pytest.fixture
def target(tmp_path):
    """A URL for a fresh, empty database on the suite's engine, and a counter."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.postgresql":
        import psycopg

        name = f"igc_copy_{uuid.uuid4().hex[:8]}"
        params = {
            "host": default["HOST"],
            "port": default["PORT"] or 5432,
            "user": default["USER"],
            "password": default["PASSWORD"],
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = (
            f"postgres://{params['user']}:{params['password']}@{params['host']}:"
            f"{params['port']}/{name}"
        )

        def counts() -> dict[str, int]:
            with psycopg.connect(dbname=name, **params) as db:
                tables = [
                    row[0]
                    for row in db.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname='public'"
                    )
                ]
                return {
                    t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608
                    for t in tables
                }

        yield url, counts
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "target.sqlite3"
        path.touch()
        yield f"sqlite:///{path}", lambda: _sqlite_counts(str(path))


def test_every_record_and_its_history_moves(source, target):
    url, counts = target
    result = _run("copy_data", "--source", source, database_url=url)
    assert "every count matches" in result.stdout
    moved = counts()
    original = _sqlite_counts(source.removeprefix("sqlite:///"))
    # Every table with records holds as many in the target; migrate's own
    # tables (content types, permissions, migrations) are made by migrate.
    for table, count in original.items():
        if table in {"django_migrations", "django_content_type", "auth_permission"}:
            continue
        assert moved.get(table) == count, table
    assert moved["taxonomy_historicalissue"] > 0
    assert moved["taxonomy_issue"] == original["taxonomy_issue"] > 40
    # The edit is there, with its history entry.
    check = _run(
        "shell",
        "--no-imports",
        "-c",
        "from clearinghouse.taxonomy.models import Issue; "
        "i = Issue.objects.get(slug='spam'); "
        "print(i.name_fr); print(i.history.filter(name_fr=i.name_fr).count())",
        database_url=url,
    )
    assert check.stdout.split("\n")[:2] == ["Pourriel (courrier indésirable)", "1"]
    # New records get fresh ids after the move (sequences were reset).
    _run(
        "shell",
        "--no-imports",
        "-c",
        "from clearinghouse.taxonomy.models import Area; "
        "Area.objects.create(slug='after-the-move', name='After the move', "
        "source_url='https://example.org/')",
        database_url=url,
    )


def test_copying_again_writes_nothing_and_a_changed_target_is_refused(source, target):
    url, counts = target
    _run("copy_data", "--source", source, database_url=url)
    before = counts()
    again = _run("copy_data", "--source", source, database_url=url)
    assert "Copied 0 records" in again.stdout
    assert counts() == before
    # A record of the target's own that the source lacks refuses the copy.
    _run(
        "shell",
        "--no-imports",
        "-c",
        "from clearinghouse.taxonomy.models import Issue; "
        "Issue.objects.filter(slug='spam').update(name_fr='Changé ici')",
        database_url=url,
    )
    changed = counts()
    refused = _run("copy_data", "--source", source, database_url=url, check=False)
    assert refused.returncode == 1
    assert "already holds records (taxonomy.Issue)" in refused.stderr
    assert counts() == changed


def test_dry_run_writes_nothing(source, target):
    url, counts = target
    _run("migrate", "--no-input", "-v", "0", database_url=url)
    before = counts()
    result = _run("copy_data", "--source", source, "--dry-run", database_url=url)
    assert "taxonomy.Issue: " in result.stdout
    assert counts() == before


@pytest.mark.parametrize(
    ("source_url", "message"),
    [
        ("sqlite:////nonexistent/clearinghouse.sqlite3", "No SQLite database at"),
        ("not-a-url", "Not a database URL"),
        ("postgres://nobody@127.0.0.1:1/none", "Cannot open the source database"),
    ],
)
def test_a_bad_source_is_a_clear_error(source_url, message, target):
    url, counts = target
    result = _run("copy_data", "--source", source_url, database_url=url, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert not Path("/nonexistent/clearinghouse.sqlite3").exists()
