"""Fixtures of the consultations: an open consultation, verified participants."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from clearinghouse.consultations.models import (
    Consultation,
    Option,
    Question,
    QuestionKind,
)
from clearinghouse.core.models import Country, Profile


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run when enqueued (after the commit)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


def guard(seconds_ago: float = 10) -> dict:
    """The bot guard's fields as a person's browser sends them."""
    return {
        "started": signing.dumps(
            time.time() - seconds_ago, salt="clearinghouse.forms.started"
        ),
        "website": "",
    }


@pytest.fixture
def consultation(reference_data):
    """An open consultation with one question of each kind."""
    now = timezone.now()
    consultation = Consultation.objects.create(
        slug="access",
        title="Access and multilingualism",
        background="How to widen participation.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        working_languages=["ar", "en", "fr"],
    )
    Question.objects.create(
        consultation=consultation,
        kind=QuestionKind.OPEN,
        text="What keeps people from taking part?",
        order=1,
    )
    choice = Question.objects.create(
        consultation=consultation,
        kind=QuestionKind.CHOICE,
        text="Which forum should lead?",
        order=2,
    )
    Option.objects.create(question=choice, text="A new forum", order=1)
    Option.objects.create(question=choice, text="Existing institutions", order=2)
    Question.objects.create(
        consultation=consultation,
        kind=QuestionKind.STATEMENTS,
        text="Statements",
        order=3,
    )
    return consultation


def question_of(consultation, kind) -> Question:
    return consultation.questions.get(kind=kind)


@pytest.fixture
def make_participant(db, django_user_model):
    """A factory of participants, verified unless asked otherwise."""
    counter = iter(range(10_000))

    def make(*, group="civil_society", country="EG", verified=True, trusted=False):
        n = next(counter)
        user = django_user_model.objects.create_user(
            username=f"person{n}",
            email=f"person{n}@example.org",
            password="x-Long-pass-phrase-42",
        )
        if trusted:
            user.date_joined = timezone.now() - timedelta(days=60)
            user.save(update_fields=["date_joined"])
        Profile.objects.create(
            user=user,
            stakeholder_group=group,
            country=Country.objects.get(iso2=country) if country else None,
            email_verified_at=timezone.now() if verified else None,
        )
        return user

    return make
