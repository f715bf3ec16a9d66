"""The spam layers through HTTP, on SQLite without Redis: rate limits, the
honeypot, the minimum fill time, the link cap and the classifier."""

import os

import pytest
from django.conf import settings

from clearinghouse.consultations import spam
from clearinghouse.consultations.models import Contribution, QuestionKind, Status
from clearinghouse.core.models import RateWindow

from .conftest import guard, question_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer_url(consultation):
    question = question_of(consultation, QuestionKind.OPEN)
    return f"/en/consultations/access/questions/{question.pk}/contribute/"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    """All requests of a test fall in one rate-limit window, however slow."""
    monkeypatch.setattr("clearinghouse.core.ratelimit._now", lambda: 1_000_020.0)


@pytest.fixture
def trusted(settings):
    """Post-moderation from the first contribution on."""
    settings.CONSULTATIONS_TRUSTED_AFTER = 0


TEXT = "Remote participation must be funded so that small delegations can follow."


def test_the_limits_are_counted_where_the_environment_says():
    """In the database by default; in Redis under `make test-scale`."""
    from clearinghouse.core.ratelimit import (
        DatabaseRateLimiter,
        RedisRateLimiter,
        limiter,
    )

    expected = RedisRateLimiter if os.environ.get("REDIS_URL") else DatabaseRateLimiter
    assert os.environ.get("REDIS_URL", "") == settings.RATELIMIT_REDIS_URL
    assert isinstance(limiter(), expected)


def test_over_the_rate_limit_is_a_429_and_nothing_is_stored(
    client, make_participant, answer_url, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "contribute": {"user": "3/60"}}
    client.force_login(make_participant())
    codes = [
        client.post(answer_url, {"body": f"{TEXT} ({n})", **guard()}).status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert Contribution.objects.count() == 3
    assert _counted("contribute:user:")


def _counted(prefix: str) -> bool:
    """Whether the configured limiter holds a counter for keys with this prefix."""
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        with redis.Redis.from_url(url) as client:
            return any(client.scan_iter(f"ratelimit:{prefix}*"))
    return RateWindow.objects.filter(key__startswith=prefix).exists()


def test_the_ip_limit_holds_across_accounts(
    client, make_participant, answer_url, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "contribute": {"ip": "2/60"}}
    codes = []
    for n in range(4):
        client.force_login(make_participant())
        codes.append(
            client.post(answer_url, {"body": f"{TEXT} {n}", **guard()}).status_code
        )
    assert codes == [302, 302, 429, 429]
    assert Contribution.objects.count() == 2


def test_the_429_page_is_in_the_readers_language(
    client, make_participant, consultation, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "contribute": {"user": "1/60"}}
    question = question_of(consultation, QuestionKind.OPEN)
    url = f"/fr/consultations/access/questions/{question.pk}/contribute/"
    client.force_login(make_participant())
    client.post(url, {"body": TEXT, **guard()})
    response = client.post(url, {"body": TEXT + "!", **guard()})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Trop de requêtes" in response.content.decode()


def test_a_filled_honeypot_is_refused(client, make_participant, answer_url):
    client.force_login(make_participant())
    response = client.post(
        answer_url, {"body": TEXT, **guard(), "website": "http://spam.example/"}
    )
    assert response.status_code == 400
    assert "automated" in response.content.decode()
    assert not Contribution.objects.exists()


def test_the_minimum_is_two_seconds_and_a_timestamp_from_the_future_is_refused(
    client, make_participant, answer_url
):
    client.force_login(make_participant())
    assert settings.CONSULTATIONS_MIN_FILL_SECONDS == 2
    response = client.post(answer_url, {"body": TEXT, **guard(seconds_ago=-30)})
    assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_a_form_sent_before_the_minimum_time_is_refused(
    client, make_participant, answer_url, settings
):
    # A minimum longer than the form's age, so the test holds on a loaded machine.
    settings.CONSULTATIONS_MIN_FILL_SECONDS = 120
    client.force_login(make_participant())
    response = client.post(answer_url, {"body": TEXT, **guard(seconds_ago=60)})
    assert response.status_code == 400
    assert "too fast" in response.content.decode()
    assert not Contribution.objects.exists()


def test_a_forged_or_missing_timestamp_is_refused(client, make_participant, answer_url):
    client.force_login(make_participant())
    for started in ("", "1700000000", "abc:def"):
        response = client.post(
            answer_url, {"body": TEXT, "started": started, "website": ""}
        )
        assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_thirty_links_from_a_new_account_go_to_the_queue(
    client, make_participant, answer_url, trusted
):
    client.force_login(make_participant())
    links = " ".join(f"https://example.org/page/{n}" for n in range(30))
    response = client.post(answer_url, {"body": f"{TEXT} {links}", **guard()})
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.status == Status.PENDING
    assert contribution.link_count == 30
    assert "links" in contribution.held_because


def test_a_trusted_account_with_few_links_is_published(
    client, make_participant, answer_url, trusted
):
    client.force_login(make_participant(trusted=True))
    body = f"{TEXT} https://www.itu.int/"
    assert client.post(answer_url, {"body": body, **guard()}).status_code == 302
    assert Contribution.objects.get().status == Status.PUBLISHED


def test_new_accounts_are_pre_moderated_until_enough_approvals(
    make_participant, consultation, secretariat, settings
):
    from clearinghouse.consultations.services import (
        contribution_moderate,
        contribution_submit,
    )

    settings.CONSULTATIONS_TRUSTED_AFTER = 2
    author = make_participant()
    question = question_of(consultation, QuestionKind.OPEN)
    statuses = []
    for n in range(3):
        item = contribution_submit(
            question=question, author=author, body=f"{TEXT} {n}", kind="answer"
        )
        statuses.append(item.status)
        if item.status == Status.PENDING:
            contribution_moderate(
                contribution=item, moderator=secretariat, decision="approve"
            )
    assert statuses == [Status.PENDING, Status.PENDING, Status.PUBLISHED]


def _train(n: int = 25) -> None:
    model = spam.NaiveBayes()
    for i in range(n):
        model.learn(
            spam.Example(f"Buy cheap pills casino bonus win money now {i} " * 3),
            spam=True,
        )
        model.learn(
            spam.Example(
                f"Developing countries need affordable connectivity and capacity "
                f"building for regulators, point {i}."
            ),
            spam=False,
        )
    spam.classifier_store(model=model)


def test_the_classifier_queues_doubtful_text_from_trusted_accounts(
    client, make_participant, answer_url, trusted
):
    _train()
    client.force_login(make_participant(trusted=True))
    client.post(
        answer_url, {"body": "Buy cheap pills, casino bonus, win money now!", **guard()}
    )
    client.post(
        answer_url,
        {
            "body": "Affordable connectivity for developing countries matters.",
            **guard(),
        },
    )
    spammy, fine = Contribution.objects.order_by("pk")
    assert spammy.status == Status.PENDING and "classifier" in spammy.held_because
    assert spammy.spam_score > 0.5
    assert fine.status == Status.PUBLISHED and fine.spam_score < 0.5


def test_an_untrained_classifier_gives_no_score():
    assert spam.classifier().score(spam.Example("anything at all")) is None


def test_moderators_decisions_train_the_classifier(
    make_participant, consultation, secretariat
):
    from clearinghouse.consultations.services import (
        contribution_moderate,
        contribution_submit,
    )

    question = question_of(consultation, QuestionKind.OPEN)
    author = make_participant()
    item = contribution_submit(
        question=question, author=author, body="Cheap pills here", kind="answer"
    )
    contribution_moderate(contribution=item, moderator=secretariat, decision="spam")
    assert spam.classifier().documents == [0, 1]
    # A reversed decision is unlearned before the new one is learned.
    contribution_moderate(contribution=item, moderator=secretariat, decision="approve")
    assert spam.classifier().documents == [1, 0]


def test_spam_retrain_rebuilds_from_decisions_and_dry_run_stores_nothing(
    make_participant, consultation, secretariat
):
    from io import StringIO

    from django.core.management import call_command

    from clearinghouse.consultations.models import SpamModel
    from clearinghouse.consultations.services import (
        contribution_moderate,
        contribution_submit,
    )

    question = question_of(consultation, QuestionKind.OPEN)
    for n, decision in enumerate(["spam", "approve", "approve"]):
        item = contribution_submit(
            question=question, author=make_participant(), body=f"t {n}", kind="answer"
        )
        contribution_moderate(
            contribution=item, moderator=secretariat, decision=decision
        )
    SpamModel.objects.all().delete()
    out = StringIO()
    call_command("spam_retrain", "--dry-run", stdout=out)
    assert "Would train on 2 approved and 1 spam" in out.getvalue()
    assert not SpamModel.objects.exists()
    call_command("spam_retrain", stdout=StringIO())
    assert spam.classifier().documents == [2, 1]
