"""A backup taken while the site is written to restores with every record."""

import sqlite3
import subprocess
import sys
import time

WRITER = """
import time
from django.db import transaction
from clearinghouse.taxonomy.models import Area
deadline = time.monotonic() + {seconds}
n = 0
while time.monotonic() < deadline:
    with transaction.atomic():
        area = Area(slug=f"area-{{n}}", name_en=f"Area {{n}}", source_url="https://x.org/")
        area.full_clean()
        area.save()
    n += 1
print(n)
"""


def _env(tmp_path, name):
    return {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / name}",
        "CLEARINGHOUSE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
    }


def _run(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "clearinghouse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


def _counts(path):
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
        # Table names come from sqlite_master, not from input.
        count = 'SELECT COUNT(*) FROM "{}"'
        return {t: db.execute(count.format(t)).fetchone()[0] for t in tables}
    finally:
        db.close()


def test_backup_under_writes_restores_into_an_empty_database(tmp_path):
    live = _env(tmp_path, "live.sqlite3")
    assert _run(live, "migrate", "-v0").returncode == 0
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clearinghouse.cli",
            "shell",
            "-c",
            WRITER.format(seconds=4),
        ],
        env=live,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    during = _run(live, "backup", str(tmp_path / "during.sqlite3"))
    assert during.returncode == 0, during.stderr
    written = int(writer.communicate(timeout=60)[0].split()[-1])
    assert written > 0

    # The copy taken under writes is consistent: every area has its history row.
    copy = sqlite3.connect(tmp_path / "during.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    areas = copy.execute("SELECT COUNT(*) FROM taxonomy_area").fetchone()[0]
    history = copy.execute("SELECT COUNT(*) FROM taxonomy_historicalarea").fetchone()[0]
    copy.close()
    assert 0 < areas <= written and history == areas

    # A backup of the finished database restores into an empty one, whole.
    after = _run(live, "backup", str(tmp_path / "after.sqlite3"))
    assert after.returncode == 0, after.stderr
    empty = _env(tmp_path, "empty.sqlite3")
    restored = _run(empty, "restore", "--yes", str(tmp_path / "after.sqlite3"))
    assert restored.returncode == 0, restored.stderr
    assert _counts(tmp_path / "empty.sqlite3") == _counts(tmp_path / "live.sqlite3")
    assert _counts(tmp_path / "empty.sqlite3")["taxonomy_area"] == written


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    env = _env(tmp_path, "db.sqlite3")
    (tmp_path / "fake.sqlite3").write_bytes(b"not a database at all")
    result = _run(env, "restore", "--yes", str(tmp_path / "fake.sqlite3"))
    assert result.returncode != 0
    assert "is not an SQLite backup" in result.stderr
    missing = _run(env, "restore", "--yes", str(tmp_path / "missing.sqlite3"))
    assert "No backup at" in missing.stderr


def test_backup_refuses_to_overwrite_a_file(tmp_path):
    env = _env(tmp_path, "db.sqlite3")
    assert _run(env, "migrate", "-v0").returncode == 0
    (tmp_path / "exists.sqlite3").write_bytes(b"keep me")
    result = _run(env, "backup", str(tmp_path / "exists.sqlite3"))
    assert result.returncode != 0
    assert "exists already" in result.stderr
    assert (tmp_path / "exists.sqlite3").read_bytes() == b"keep me"
