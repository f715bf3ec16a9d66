"""Moderation: the queue, decisions with reasons, reports, public removal counts."""

import pytest

from clearinghouse.consultations.models import Contribution, QuestionKind, Status
from clearinghouse.consultations.services import (
    contribution_moderate,
    contribution_report,
    contribution_submit,
)

from .conftest import guard, question_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(consultation, make_participant):
    return contribution_submit(
        question=question_of(consultation, QuestionKind.OPEN),
        author=make_participant(),
        body="An answer about local content in local languages.",
        kind="answer",
    )


def test_the_queue_is_for_moderators_only(client, make_participant, pending):
    assert client.get("/en/consultations/moderation/").status_code == 302
    client.force_login(make_participant())
    assert client.get("/en/consultations/moderation/").status_code == 403
    response = client.post(
        f"/en/consultations/moderation/{pending.pk}/", {"decision": "approve"}
    )
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_off_topic_needs_a_reason_which_the_author_then_reads(
    client, secretariat, pending
):
    client.force_login(secretariat)
    url = f"/en/consultations/moderation/{pending.pk}/"
    response = client.post(url, {"decision": "off_topic", "reason": ""})
    assert response.status_code == 400
    assert "author will read it" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING

    reason = "This consultation is about access, not about domain names."
    assert client.post(url, {"decision": "off_topic", "reason": reason}).status_code
    pending.refresh_from_db()
    assert pending.status == Status.OFF_TOPIC

    client.force_login(pending.author)
    page = client.get("/en/consultations/mine/").content.decode()
    assert reason in page and "Removed as off-topic" in page


def test_an_unknown_decision_is_refused(client, secretariat, pending):
    client.force_login(secretariat)
    response = client.post(
        f"/en/consultations/moderation/{pending.pk}/", {"decision": "delete"}
    )
    assert response.status_code == 400


def test_removals_are_counted_publicly_by_reason(
    client, secretariat, consultation, make_participant
):
    question = question_of(consultation, QuestionKind.OPEN)
    author = make_participant()
    for n, decision in enumerate(["spam", "spam", "off_topic", "approve"]):
        item = contribution_submit(
            question=question, author=author, body=f"Text {n}", kind="answer"
        )
        contribution_moderate(
            contribution=item,
            moderator=secretariat,
            decision=decision,
            reason="Not about this consultation." if decision == "off_topic" else "",
        )
    page = client.get("/en/consultations/").content.decode()
    assert '<th scope="row">Spam</th><td>2</td>' in page
    assert '<th scope="row">Off-topic</th><td>1</td>' in page


def test_signed_in_readers_report_and_reports_reach_the_queue(
    client, secretariat, pending, make_participant
):
    contribution_moderate(
        contribution=pending, moderator=secretariat, decision="approve"
    )
    url = f"/en/consultations/access/contributions/{pending.pk}/report/"
    assert client.post(url, {"reason": "rude"}).status_code == 302  # to sign in
    assert not pending.reports.exists()

    reader = make_participant(verified=False)  # reporting needs no verification
    client.force_login(reader)
    assert client.post(url, {"reason": "Advertising"}).status_code == 302
    assert client.post(url, {"reason": "again"}).status_code == 400
    assert pending.reports.count() == 1

    client.force_login(secretariat)
    queue = client.get("/en/consultations/moderation/").content.decode()
    assert f'id="m-{pending.pk}"' in queue
    client.post(f"/en/consultations/moderation/{pending.pk}/", {"decision": "spam"})
    assert not pending.reports.filter(resolved=False).exists()
    queue = client.get("/en/consultations/moderation/").content.decode()
    assert f'id="m-{pending.pk}"' not in queue


def test_a_pending_contribution_cannot_be_reported(pending, make_participant):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        contribution_report(
            contribution=pending, reporter=make_participant(), reason="x"
        )


def test_comments_thread_one_level_with_replies(
    client, consultation, make_participant, settings
):
    settings.CONSULTATIONS_TRUSTED_AFTER = 0
    client.force_login(make_participant())
    question = question_of(consultation, QuestionKind.OPEN)
    answer = contribution_submit(
        question=question,
        author=make_participant(),
        body="Remote hubs help.",
        kind="answer",
    )
    url = f"/en/consultations/access/contributions/{answer.pk}/reply/"
    assert client.post(url, {"body": "Which hubs?", **guard()}).status_code == 302
    comment = Contribution.objects.get(kind="comment")
    assert comment.parent == answer
    url = f"/en/consultations/access/contributions/{comment.pk}/reply/"
    assert client.post(url, {"body": "University ones.", **guard()}).status_code == 302
    reply = Contribution.objects.get(kind="reply")
    assert reply.parent == comment
    # No deeper than that.
    url = f"/en/consultations/access/contributions/{reply.pk}/reply/"
    assert client.post(url, {"body": "And more.", **guard()}).status_code == 404
    page = client.get("/en/consultations/access/").content.decode()
    assert (
        page.index("Remote hubs")
        < page.index("Which hubs")
        < page.index("University ones")
    )


def test_votes_are_one_per_participant_and_only_while_open(
    client, consultation, make_participant, settings
):
    from datetime import timedelta

    from django.utils import timezone

    settings.CONSULTATIONS_TRUSTED_AFTER = 0
    voter = make_participant()
    statement = contribution_submit(
        question=question_of(consultation, QuestionKind.STATEMENTS),
        author=make_participant(),
        body="Interconnection costs should be shared fairly.",
        kind="statement",
    )
    client.force_login(voter)
    url = f"/en/consultations/access/statements/{statement.pk}/vote/"
    for value in (1, -1, 0):
        assert client.post(url, {"value": value}).status_code == 302
    assert statement.votes.get().value == 0
    assert client.post(url, {"value": 7}).status_code == 400

    consultation.closes_at = timezone.now() - timedelta(seconds=1)
    consultation.opens_at = timezone.now() - timedelta(days=3)
    consultation.save()
    response = client.post(url, {"value": 1})
    assert response.status_code == 400
    assert "not open" in response.content.decode()
    assert statement.votes.get().value == 0


def test_reading_needs_no_account_and_shows_no_forms(client, consultation):
    page = client.get("/en/consultations/access/").content.decode()
    assert "Access and multilingualism" in page
    assert "<textarea" not in page
    assert client.get("/en/consultations/").status_code == 200
    assert client.get("/en/consultations/nowhere/").status_code == 404


def test_a_statement_over_280_characters_is_refused(
    client, consultation, make_participant
):
    client.force_login(make_participant())
    question = question_of(consultation, QuestionKind.STATEMENTS)
    url = f"/en/consultations/access/questions/{question.pk}/contribute/"
    response = client.post(url, {"body": "x" * 281, **guard()})
    assert response.status_code == 400
    assert not Contribution.objects.exists()
