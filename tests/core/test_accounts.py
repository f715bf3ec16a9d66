"""The first secretariat account: from the environment or a prompt, never waiting."""

import io
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from clearinghouse.core.accounts import SECRETARIAT_GROUP, is_secretariat

pytestmark = pytest.mark.django_db


def test_without_a_terminal_or_variables_it_explains_and_returns(monkeypatch):
    monkeypatch.delenv("CLEARINGHOUSE_ADMIN_USERNAME", raising=False)
    monkeypatch.delenv("CLEARINGHOUSE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    out = io.StringIO()
    call_command("ensure_secretariat", stdout=out)
    assert "No secretariat account yet" in out.getvalue()
    assert not get_user_model().objects.exists()


def test_variables_create_a_secretariat_account(monkeypatch):
    monkeypatch.setenv("CLEARINGHOUSE_ADMIN_USERNAME", "sec")
    monkeypatch.setenv("CLEARINGHOUSE_ADMIN_EMAIL", "sec@example.org")
    monkeypatch.setenv("CLEARINGHOUSE_ADMIN_PASSWORD", "a-Long-pass-phrase-42")
    call_command("ensure_secretariat", stdout=io.StringIO())
    user = get_user_model().objects.get(username="sec")
    assert user.is_staff and user.check_password("a-Long-pass-phrase-42")
    assert user.groups.filter(name=SECRETARIAT_GROUP).exists()
    assert is_secretariat(user)
    out = io.StringIO()
    call_command("ensure_secretariat", stdout=out)
    assert "A secretariat account exists" in out.getvalue()
    assert get_user_model().objects.count() == 1


def test_a_weak_password_is_refused_and_nothing_is_created(monkeypatch):
    monkeypatch.setenv("CLEARINGHOUSE_ADMIN_USERNAME", "sec")
    monkeypatch.setenv("CLEARINGHOUSE_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("ensure_secretariat", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_the_command_never_waits_when_stdin_is_not_a_terminal(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CLEARINGHOUSE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
    }
    run = [sys.executable, "-m", "clearinghouse.cli"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [*run, "ensure_secretariat"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "No secretariat account yet" in result.stdout


def test_participants_are_not_secretariat(participant):
    assert not is_secretariat(participant)
