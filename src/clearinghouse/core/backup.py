"""Database backups: a consistent copy taken while the site runs, and its restore.

SQLite: the online backup API copies the database page by page under a read
transaction, so writes that happen meanwhile are either wholly in the copy or
wholly out of it. PostgreSQL: pg_dump takes its snapshot in one transaction
(the same guarantee) into a custom-format archive, which pg_restore checks
(by listing it) before it replaces the database's content in one transaction.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"
_PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


def _engine(alias: str) -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if engine not in (SQLITE, POSTGRESQL):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")
    return engine


def backup_suffix(alias: str = "default") -> str:
    """The file name ending of a backup of this database."""
    return ".sqlite3" if _engine(alias) == SQLITE else ".dump"


def _sqlite_path(alias: str) -> Path:
    return Path(connections[alias].settings_dict["NAME"])


def _pg_command(tool: str, alias: str) -> tuple[list[str], dict]:
    """The PostgreSQL client `tool` with the connection in its environment
    (the password never appears on a command line)."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} is not installed (Debian: apt-get install postgresql-client)."
        )
    settings = connections[alias].settings_dict
    env = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return [path], env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(  # noqa: S603 (a fixed client, arguments we build)
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _pg_backup(*, partial: Path, alias: str) -> None:
    command, env = _pg_command("pg_dump", alias)
    _run([*command, "--format=custom", "--no-owner", f"--file={partial}"], env)


def _pg_restore(*, source: Path, alias: str) -> None:
    with source.open("rb") as fh:
        if fh.read(5) != _PG_MAGIC:
            raise BackupError(f"{source} is not a PostgreSQL backup (pg_dump -Fc).")
    command, env = _pg_command("pg_restore", alias)
    # Listing reads the whole table of contents: a truncated file fails here,
    # before anything in the database is touched.
    _run([*command, "--list", str(source)], env)
    connections[alias].close()
    _run(
        [
            *command,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={env['PGDATABASE']}",
            str(source),
        ],
        env,
    )


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def backup_create(*, target: Path, alias: str = "default") -> Path:
    """Copy the live database into `target` (which must not exist yet)."""
    engine = _engine(alias)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if engine == POSTGRESQL:
        try:
            _pg_backup(partial=partial, alias=alias)
        except BackupError:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)
        return target
    source = sqlite3.connect(_sqlite_path(alias))
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

    SQLite: the backup is checked first (an SQLite file whose integrity check
    passes); the copy goes through the backup API into the live file, so open
    connections see either the old or the restored database. PostgreSQL: the
    archive is checked, then restored in one transaction.
    """
    engine = _engine(alias)
    if not source.exists():
        raise BackupError(f"No backup at {source}.")
    if engine == POSTGRESQL:
        _pg_restore(source=source, alias=alias)
        return
    target_path = _sqlite_path(alias)
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
