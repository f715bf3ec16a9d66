"""Configuration from the environment, with safe defaults and no committed secret."""

import subprocess
import sys

import pytest

SHOWN = (
    "s.SECRET_KEY, s.DEBUG, s.DATABASES['default']['NAME'], "
    "s.DATABASES['default'].get('OPTIONS', {}).get('init_command', '')"
)


def _settings(tmp_path, shown=SHOWN, **env):
    base = {
        "PATH": "/usr/bin:/bin",
        "CLEARINGHOUSE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print({shown})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_generated_once_into_var(tmp_path):
    first = _settings(tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.split()[0]
    assert len(key) > 40
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert _settings(tmp_path).stdout.split()[0] == key


def test_defaults_debug_off_and_sqlite_in_wal_mode_under_var(tmp_path):
    out = _settings(tmp_path).stdout.split(maxsplit=3)
    assert out[1] == "False"
    assert out[2] == str(tmp_path / "clearinghouse.sqlite3")
    assert "journal_mode=WAL" in out[3]


def test_environment_overrides_secret_and_database(tmp_path):
    out = _settings(
        tmp_path, SECRET_KEY="from-env", DATABASE_URL=f"sqlite:///{tmp_path}/other.db"
    ).stdout.split()
    assert out[0] == "from-env"
    assert out[2] == f"{tmp_path}/other.db"
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _settings(tmp_path, PRODUCTION="1", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "CLEARINGHOUSE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
        "PRODUCTION": "1",
        "HTTPS": "1",
        "SECRET_KEY": "k" * 20
        + "-production-secret-key-of-sufficient-length-0123456789",
        "ALLOWED_HOSTS": "clearinghouse.example.org",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clearinghouse.cli",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _conn_max_age(tmp_path, **env):
    result = _settings(tmp_path, "s.DATABASES['default'].get('CONN_MAX_AGE')", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sqlite_keeps_its_connection_between_requests_unless_the_url_says(tmp_path):
    assert _conn_max_age(tmp_path) == "60"
    url = f"sqlite:///{tmp_path}/other.db?conn_max_age=0"
    assert _conn_max_age(tmp_path, DATABASE_URL=url) == "0"


@pytest.mark.parametrize(
    ("store", "engine"),
    [
        ("db", "django.contrib.sessions.backends.db"),
        ("cached_db", "django.contrib.sessions.backends.cached_db"),
        ("cache", "django.contrib.sessions.backends.cache"),
    ],
)
def test_session_store_picks_the_engine(tmp_path, store, engine):
    result = _settings(
        tmp_path,
        "s.SESSION_ENGINE",
        SESSION_STORE=store,
        REDIS_URL="redis://127.0.0.1:6379/0",  # read, not connected to
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SESSION_STORE": "files"}, "SESSION_STORE must be one of db, cached_db"),
        ({"SESSION_STORE": "cache"}, "SESSION_STORE=cache needs REDIS_URL"),
        ({"SESSION_STORE": "cached_db"}, "SESSION_STORE=cached_db needs REDIS_URL"),
    ],
)
def test_a_session_store_that_cannot_work_is_refused_at_start(
    tmp_path, variables, message
):
    result = _settings(tmp_path, **variables)
    assert result.returncode != 0
    assert message in result.stderr
