"""Sessions in Redis (SESSION_STORE=cached_db), against the Redis server of
`make test-scale`. How SESSION_STORE is read: tests/core/test_settings.py."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

pytestmark = [pytest.mark.scale, pytest.mark.django_db]
PASSWORD = "x-Long-pass-phrase-42"


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
