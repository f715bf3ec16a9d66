"""Sessions in Redis (SESSION_STORE), against the Redis server of
`make test-scale`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

pytestmark = [pytest.mark.scale, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "x-Long-pass-phrase-42"


def _check(**variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "clearinghouse.cli", "check"],
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("store", "engine"),
    [
        ("cached_db", "django.contrib.sessions.backends.cached_db"),
        ("cache", "django.contrib.sessions.backends.cache"),
    ],
)
def test_session_store_picks_the_engine(store, engine):
    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL is not set: run these tests with `make test-scale`.")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SESSION_ENGINE)",
        ],
        env={
            **os.environ,
            "SESSION_STORE": store,
            "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SESSION_STORE": "files"}, "SESSION_STORE must be one of db, cached_db"),
        ({"SESSION_STORE": "cache", "REDIS_URL": ""}, "SESSION_STORE=cache needs"),
        ({"SESSION_STORE": "cached_db", "REDIS_URL": ""}, "cached_db needs REDIS"),
    ],
)
def test_a_session_store_that_cannot_work_is_refused_at_start(variables, message):
    result = _check(**variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_cached_db_sessions_are_read_from_redis_and_kept_in_the_database(
    client, settings, participant
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    response = client.post(
        "/en/accounts/login/", {"username": "reader", "password": PASSWORD}
    )
    assert response.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    cached = cache.get(f"django.contrib.sessions.cached_db{key}")
    assert cached["_auth_user_id"] == str(participant.pk)
    # Read from Redis: the row's loss does not sign the reader out...
    Session.objects.filter(session_key=key).delete()
    assert client.get("/en/accounts/profile/").status_code == 200
    # ...and signing out ends it in both.
    client.post("/en/accounts/logout/")
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
