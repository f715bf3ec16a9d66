"""Shared fixtures: plain static storage, loaded reference data, users."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _english_to_start_with():
    """Each test starts in the default language: a request leaves its own active."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_redis():
    """With REDIS_URL (`make test-scale`), each test starts on an empty Redis.

    The cache, the rate limits' counters and the job queue live there: what one
    test left (a full rate-limit window, a cached page) must not reach the next,
    as the rolled-back transaction ensures for what lives in the database.
    """
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        with redis.Redis.from_url(url) as client:
            client.flushdb()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load countries and regions once into the test database.

    Every test runs in a transaction that is rolled back, so the reference
    data stays as loaded for all of them.
    """
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def reference_data(db):
    """Countries and regions from data/core (loaded once per session)."""


@pytest.fixture(scope="session")
def _forum2004_snapshot(django_db_setup, django_db_blocker):
    """The rows the Forum 2004 loader writes, captured once per session."""
    from .snapshot import Snapshot

    with django_db_blocker.unblock():
        return Snapshot(lambda: call_command("load_forum2004", verbosity=0))


@pytest.fixture
def forum2004(reference_data, _forum2004_snapshot):
    """The Forum 2004 dataset, as its loader leaves it (rows replayed)."""
    _forum2004_snapshot.replay(lambda: call_command("load_forum2004", verbosity=0))


@pytest.fixture
def secretariat(db, django_user_model):
    """A signed-up secretariat account."""
    from clearinghouse.core.accounts import secretariat_user_create

    return secretariat_user_create(
        username="curator",
        email="curator@example.org",
        password="a-Long-pass-phrase-42",
    )


@pytest.fixture
def secretariat_client(client, secretariat):
    """A browser session signed in as the secretariat."""
    client.force_login(secretariat)
    return client


@pytest.fixture
def participant(db, django_user_model):
    """A signed-in user who is not the secretariat."""
    return django_user_model.objects.create_user(
        username="reader", email="reader@example.org", password="x-Long-pass-phrase-42"
    )
