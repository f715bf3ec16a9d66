"""Database backups: a consistent copy taken while the site runs, and its restore.

SQLite: the online backup API copies the database page by page under a read
transaction, so writes that happen meanwhile are either wholly in the copy or
wholly out of it. Other engines are refused with the tool to use instead.
"""

import sqlite3
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


def _sqlite_path(alias: str) -> Path:
    settings = connections[alias].settings_dict
    if settings["ENGINE"] != "django.db.backends.sqlite3":
        raise BackupError(
            "This database is not SQLite: use pg_dump and pg_restore for PostgreSQL."
        )
    return Path(settings["NAME"])


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def backup_create(*, target: Path, alias: str = "default") -> Path:
    """Copy the live database into `target` (which must not exist yet)."""
    source_path = _sqlite_path(alias)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination, pages=256)
        finally:
            destination.close()
    finally:
        source.close()
    partial.replace(target)
    return target


def backup_restore(*, source: Path, alias: str = "default") -> None:
    """Replace the database's content with the backup in `source`.

    The backup is checked first (an SQLite file whose integrity check passes);
    the copy goes through the backup API into the live file, so open
    connections see either the old or the restored database.
    """
    target_path = _sqlite_path(alias)
    if not source.exists():
        raise BackupError(f"No backup at {source}.")
    if not _is_sqlite_file(source):
        raise BackupError(f"{source} is not an SQLite backup.")
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        (result,) = backup.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"{source} is damaged: {result}")
        connections[alias].close()
        target = sqlite3.connect(target_path)
        try:
            backup.backup(target)
        finally:
            target.close()
    finally:
        backup.close()
