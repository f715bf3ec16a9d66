"""The database connections: SQLite by default; PostgreSQL with persistent
connections or a pool, and an optional read replica.

`database_settings()` turns the environment into Django's DATABASES. With
`DATABASE_REPLICA_URL` set, a second alias, `replica`, is added, and
`ReplicaRouter` with `ReplicaReadsMiddleware` send the reads of safe web
requests (GET, HEAD, OPTIONS) to it. Everything else reads the primary:
unsafe requests, transactions, management commands and task workers (a
harvest compares what it fetched with what is stored, so it must read what
it just wrote).

Read-your-writes: after a request that may have written (an unsafe method),
the response carries the primary's WAL position in a cookie. The reader's
next requests use the replica only once the replica has replayed up to that
position; until then they read the primary. A replica that cannot be reached
is skipped for the request, never an error.
"""

from __future__ import annotations

import contextvars
import logging
import re

import environ
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections

REPLICA = "replica"
LSN_COOKIE = "igc_lsn"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A PostgreSQL WAL position (pg_lsn's text form): two hexadecimal halves.
_LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")

logger = logging.getLogger(__name__)

_reads_on_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "reads_on_replica", default=False
)


def database_settings(env, default_url: str) -> dict:
    """DATABASES from the environment (a django-environ `Env`)."""
    default = env.db_url("DATABASE_URL", default=default_url)
    databases = {"default": default}
    if default["ENGINE"] == "django.db.backends.sqlite3":
        default.setdefault("OPTIONS", {}).update(
            {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000;"
                ),
                # Take the write lock at BEGIN so concurrent writers queue on
                # busy_timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
            }
        )
        # Keep a process's connection between requests: opening one runs the
        # PRAGMAs above and closing it checkpoints the WAL, 5-7 ms of every
        # request otherwise (decision 0012).
        if "CONN_MAX_AGE" not in default:
            default["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        return databases
    if default["ENGINE"] != "django.db.backends.postgresql":
        return databases
    _connection_reuse(env, default)
    replica_url = env.str("DATABASE_REPLICA_URL", default="")
    if replica_url:
        replica = env.db_url_config(replica_url)
        if replica["ENGINE"] != default["ENGINE"]:
            raise ValueError("DATABASE_REPLICA_URL must be a PostgreSQL URL too.")
        _connection_reuse(env, replica)
        # Tests run on one database: the replica alias reads it too.
        replica["TEST"] = {"MIRROR": "default"}
        databases[REPLICA] = replica
    return databases


def _flag(value) -> bool:
    """A URL option's value as django-environ reads a boolean variable."""
    return value is True or str(value).lower() in environ.Env.BOOLEAN_TRUE_STRINGS


def _connection_reuse(env, database: dict) -> None:
    """Persistent connections by default; a psycopg pool when asked.

    `DATABASE_POOL_SIZE` > 0, or `?pool=true` in the URL, gives each process
    a pool (Django's, from psycopg_pool) shared by its threads; otherwise a
    connection lives `DATABASE_CONN_MAX_AGE` seconds (default 60) and is
    checked before reuse. A URL's own `conn_max_age` wins.
    """
    pool_size = env.int("DATABASE_POOL_SIZE", default=0)
    if pool_size < 0:
        raise ValueError("DATABASE_POOL_SIZE must be 0 (no pool) or more.")
    options = database.setdefault("OPTIONS", {})
    pool = options.pop("pool", None)
    if isinstance(pool, str):
        pool = _flag(pool)
    if pool or pool_size:
        options["pool"] = (
            pool
            if isinstance(pool, dict)
            else {
                "min_size": 1,
                "max_size": pool_size or 4,
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
            }
        )
        # Pooled connections go back to the pool at the end of each request;
        # with health checks, one the server closed is replaced, not lent.
        database["CONN_MAX_AGE"] = 0
        database["CONN_HEALTH_CHECKS"] = True
        return
    if "CONN_MAX_AGE" not in database:
        database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = _flag(database.get("CONN_HEALTH_CHECKS", True))


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads of safe web requests go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _reads_on_replica.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy of the primary made by PostgreSQL itself.
        return False if db == REPLICA else None


def _replica_caught_up(position: str | None) -> bool:
    """True when the replica answers and has replayed up to `position`."""
    try:
        with connections[REPLICA].cursor() as cursor:
            if position is None:
                cursor.execute("SELECT 1")
                return True
            cursor.execute(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)",
                [position],
            )
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("database.replica_unavailable", exc_info=True)
        connections[REPLICA].close()
        return False


def _primary_position() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:
        return None


class ReplicaReadsMiddleware:
    """Route a safe request's reads to the replica when it is safe to.

    Without a replica it is left out of the chain (Django's
    MiddlewareNotUsed); `DATABASE_REPLICA_READS` is read per request, so
    that the replica's reads can be turned off while it stays configured.
    """

    def __init__(self, get_response) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICA_READS:
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            position = _primary_position()
            if position:
                response.set_cookie(
                    LSN_COOKIE,
                    position,
                    max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        position = request.COOKIES.get(LSN_COOKIE)
        if position is not None and not _LSN.fullmatch(position):
            position = None  # a cookie we did not write: ignore it
        token = _reads_on_replica.set(_replica_caught_up(position))
        try:
            return self.get_response(request)
        finally:
            _reads_on_replica.reset(token)
