"""Fixtures of the governance-filter tests: the first version of the questions
and rules as the dataset defines them, and verified participants."""

from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from clearinghouse.core.models import Profile, StakeholderGroup
from clearinghouse.filters.dataset import version_from_files
from clearinghouse.filters.models import Answer

DATA = Path(__file__).resolve().parents[2] / "data" / "forum2004"


def _records(name: str) -> list[dict]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def version(db):
    """Version 1: the questions and rules of the Forum 2004 dataset."""
    return version_from_files(DATA)


def make_verified(django_user_model, username: str, *, group="", show_name=False):
    """A participant whose e-mail address is verified."""
    user = django_user_model.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="a-Long-pass-phrase-42",
        first_name=username.title(),
        last_name="Example",
    )
    Profile.objects.create(
        user=user,
        email_verified_at=timezone.now(),
        stakeholder_group=group,
        show_name=show_name,
    )
    return user


@pytest.fixture
def verified(db, django_user_model):
    """A verified participant from civil society who did not consent to show a name."""
    return make_verified(
        django_user_model, "amina", group=StakeholderGroup.CIVIL_SOCIETY
    )


def answers(**given) -> dict[str, dict]:
    """Every question answered "don't know" except those given (key=value),
    each with a rationale."""
    keys = [r["key"] for r in _records("filter_questions")]
    result = {key: {"value": Answer.DONT_KNOW, "rationale": ""} for key in keys}
    for key, value in given.items():
        result[key] = {"value": value, "rationale": f"Because of {key}."}
    return result
