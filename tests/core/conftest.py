"""Fixtures of the core tests."""

import environ
import pytest
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

from clearinghouse.core.databases import database_settings


def _site_options() -> dict:
    """The OPTIONS the site gives a SQLite database (WAL, busy timeout...),
    from an environment that names no database."""
    env = environ.Env()
    env.ENVIRON = {}
    return database_settings(env, "sqlite:///site.sqlite3")["default"]["OPTIONS"]


@pytest.fixture
def database(tmp_path, django_db_blocker):
    """A Django connection to a SQLite file of its own, opened as the site
    opens them (not the test database: pytest-django is told so)."""
    path = tmp_path / "site.sqlite3"
    wrapper = DatabaseWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": _site_options(),
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TEST": {},
        },
        alias="site-file",
    )
    # Known by its alias in this thread, for `transaction.atomic(using=…)`.
    connections[wrapper.alias] = wrapper
    with django_db_blocker.unblock():
        wrapper.connect()  # sends connection_created, as the site's do
        try:
            yield wrapper, path
        finally:
            wrapper.close()
            del connections[wrapper.alias]
