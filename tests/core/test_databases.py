"""The database settings read from the environment, the replica's router, and
the page a visitor gets when the database is too busy.

The replica itself, a real PostgreSQL standby, is tested in
tests/scale/test_replica.py.
"""

from contextlib import contextmanager

import environ
import psycopg
import pytest
from django.db import connection, connections, transaction

from clearinghouse.core import databases
from clearinghouse.core.databases import REPLICA, ReplicaRouter, database_settings
from clearinghouse.taxonomy.models import Issue

SQLITE = "sqlite:////tmp/x.sqlite3"
PG = "postgres://app:secret@db.example.org:5432/clearinghouse"


def _settings(monkeypatch, **variables) -> dict:
    for name in (
        "DATABASE_URL",
        "DATABASE_REPLICA_URL",
        "DATABASE_POOL_SIZE",
        "DATABASE_CONN_MAX_AGE",
        "DATABASE_POOL_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return database_settings(environ.Env(), SQLITE)


def test_sqlite_is_the_default_in_wal_mode_keeping_its_connection(monkeypatch):
    config = _settings(monkeypatch)
    assert list(config) == ["default"]
    assert config["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["default"]["OPTIONS"]["init_command"]
    assert config["default"]["CONN_MAX_AGE"] == 60
    env = {"DATABASE_URL": SQLITE + "?conn_max_age=0", "DATABASE_CONN_MAX_AGE": "30"}
    assert _settings(monkeypatch, **env)["default"]["CONN_MAX_AGE"] == 0


def test_postgresql_keeps_connections_for_a_minute_and_checks_them(monkeypatch):
    default = _settings(monkeypatch, DATABASE_URL=PG)["default"]
    assert default["CONN_MAX_AGE"] == 60
    assert default["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in default["OPTIONS"]


def test_the_url_and_the_environment_can_change_the_connections_lifetime(monkeypatch):
    default = _settings(monkeypatch, DATABASE_URL=PG, DATABASE_CONN_MAX_AGE="0")[
        "default"
    ]
    assert default["CONN_MAX_AGE"] == 0
    url = PG + "?conn_max_age=5&conn_health_checks=false"
    default = _settings(monkeypatch, DATABASE_URL=url, DATABASE_CONN_MAX_AGE="90")[
        "default"
    ]
    assert default["CONN_MAX_AGE"] == 5
    assert default["CONN_HEALTH_CHECKS"] is False


@pytest.mark.parametrize(
    ("variables", "max_size"),
    [
        ({"DATABASE_POOL_SIZE": "8"}, 8),
        ({"DATABASE_URL": PG + "?pool=true"}, 4),
    ],
)
def test_a_pool_replaces_persistent_connections(monkeypatch, variables, max_size):
    default = _settings(monkeypatch, **{"DATABASE_URL": PG, **variables})["default"]
    assert default["OPTIONS"]["pool"]["max_size"] == max_size
    assert default["OPTIONS"]["pool"]["min_size"] == 1
    # Django refuses a pool with persistent connections.
    assert default["CONN_MAX_AGE"] == 0
    assert default["CONN_HEALTH_CHECKS"] is True


def test_pool_false_in_the_url_means_no_pool(monkeypatch):
    default = _settings(monkeypatch, DATABASE_URL=PG + "?pool=false")["default"]
    assert "pool" not in default["OPTIONS"]
    assert default["CONN_MAX_AGE"] == 60


def test_a_negative_pool_size_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="DATABASE_POOL_SIZE"):
        _settings(monkeypatch, DATABASE_URL=PG, DATABASE_POOL_SIZE="-1")


def test_a_replica_is_a_second_alias_mirrored_in_tests(monkeypatch):
    replica_url = "postgres://reader:secret@replica.example.org:5432/clearinghouse"
    config = _settings(monkeypatch, DATABASE_URL=PG, DATABASE_REPLICA_URL=replica_url)
    assert config[REPLICA]["HOST"] == "replica.example.org"
    assert config[REPLICA]["TEST"] == {"MIRROR": "default"}
    assert config[REPLICA]["CONN_MAX_AGE"] == 60


def test_a_replica_of_another_engine_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="DATABASE_REPLICA_URL"):
        _settings(monkeypatch, DATABASE_URL=PG, DATABASE_REPLICA_URL=SQLITE)


def test_sqlite_ignores_a_replica(monkeypatch):
    config = _settings(monkeypatch, DATABASE_REPLICA_URL=PG)
    assert list(config) == ["default"]


@pytest.mark.django_db
def test_the_router_sends_reads_to_the_replica_only_outside_transactions():
    router = ReplicaRouter()
    assert router.db_for_read(Issue) is None  # not in a safe request
    token = databases._reads_on_replica.set(True)
    try:
        # pytest-django's test transaction is an atomic block: the primary.
        assert connections["default"].in_atomic_block
        assert router.db_for_read(Issue) is None
        assert router.db_for_write(Issue) == "default"
        with transaction.atomic():
            assert router.db_for_read(Issue) is None
    finally:
        databases._reads_on_replica.reset(token)
    assert router.allow_migrate(REPLICA, "taxonomy") is False
    assert router.allow_migrate("default", "taxonomy") is None


@contextmanager
def _database_refusing():
    """The database really refusing queries for a while: on SQLite, every
    statement interrupted (the engine's own OperationalError); on PostgreSQL,
    a table locked by another session and a short lock_timeout."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(lambda: 1, 1)
        try:
            yield
        finally:
            connection.connection.set_progress_handler(None, 1)
        return
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=False,
    ) as other:
        other.execute(
            "LOCK TABLE taxonomy_area, taxonomy_issue IN ACCESS EXCLUSIVE MODE"
        )
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
        yield
        other.rollback()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        ("/fr/issues/", "fr", "Veuillez réessayer dans quelques secondes."),
        ("/ar/issues/", "ar", "يُرجى المحاولة مرة أخرى"),
        ("/en/issues/", "en", "Please try again in a few seconds."),
    ],
)
def test_a_busy_database_answers_503_in_the_visitors_language(
    client, path, language, expected
):
    client.raise_request_exception = False
    with _database_refusing():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert expected in body
    assert f'lang="{language}"' in body


@pytest.mark.django_db
def test_a_busy_database_answers_the_api_in_its_error_shape(client):
    client.raise_request_exception = False
    with _database_refusing():
        response = client.get("/api/v1/issues")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again in a few seconds" in response.json()["detail"][0]
