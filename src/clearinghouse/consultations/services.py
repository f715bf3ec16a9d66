"""Writes of the consultations: contributions, choices, votes, reports, moderation.

Every write checks that the participant may take part (a verified account)
and that the consultation is open, then bumps the consultation's data
version so that its synthesis is recomputed in the background.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clearinghouse.core.accounts import is_secretariat, is_verified
from clearinghouse.core.langdetect import detect_language

from . import spam
from .models import (
    MAX_STATEMENT,
    Choice,
    Consultation,
    Contribution,
    ContributionKind,
    Option,
    Question,
    QuestionKind,
    Report,
    Status,
    Vote,
)
from .text import clean_text, count_links

log = logging.getLogger(__name__)


class Decision:
    """What a moderator decides about a contribution."""

    APPROVE = "approve"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    ALL = (APPROVE, SPAM, OFF_TOPIC)


def is_moderator(user) -> bool:
    """Whether the user moderates contributions."""
    return is_secretariat(user) or (
        user.is_authenticated
        and user.is_active
        and user.has_perm("consultations.moderate_contribution")
    )


def approved_count(user) -> int:
    """How many of the user's contributions moderators approved."""
    return Contribution.objects.filter(
        author=user, status=Status.PUBLISHED, moderated_by__isnull=False
    ).count()


def is_trusted(user) -> bool:
    """Post-moderation: the secretariat, or enough approved contributions."""
    return is_moderator(user) or (
        approved_count(user) >= settings.CONSULTATIONS_TRUSTED_AFTER
    )


def is_new_account(user) -> bool:
    """New accounts have a cap on links: young or not yet trusted."""
    if is_moderator(user):
        return False
    young = user.date_joined > timezone.now() - timedelta(days=7)
    return young or approved_count(user) < settings.CONSULTATIONS_TRUSTED_AFTER


@dataclass
class Screening:
    """Where a new contribution goes, and why."""

    status: str
    held_because: str
    score: float | None


def screen(
    *, text: str, links: int, fill_seconds: float | None, trusted: bool, new: bool
) -> Screening:
    """The layers after the form's: pre-moderation, link cap, classifier."""
    score = spam.classifier().score(
        spam.Example(text, fill_seconds=fill_seconds, links=links)
    )
    reasons = []
    if not trusted:
        reasons.append("new-account")
    if new and links > settings.CONSULTATIONS_NEW_MAX_LINKS:
        reasons.append("links")
    if score is not None and score >= spam.QUEUE_AT:
        reasons.append("classifier")
    status = Status.PENDING if reasons else Status.PUBLISHED
    return Screening(status=status, held_because=",".join(reasons), score=score)


def _may_take_part(user, consultation: Consultation) -> None:
    if not is_verified(user):
        raise PermissionDenied(
            _("Taking part needs an account with a verified e-mail address.")
        )
    if not consultation.is_published or not consultation.is_open():
        raise ValidationError(_("This consultation is not open."))


def consultation_touch(*, consultation_id: int) -> None:
    """Mark the consultation's synthesis as out of date (and recompute it)."""
    from .tasks import synthesis_compute

    Consultation.objects.filter(pk=consultation_id).update(
        data_version=F("data_version") + 1
    )
    transaction.on_commit(
        lambda: synthesis_compute.enqueue(consultation_id=consultation_id)
    )


_KIND_OF_QUESTION = {
    ContributionKind.ANSWER: QuestionKind.OPEN,
    ContributionKind.STATEMENT: QuestionKind.STATEMENTS,
}


def contribution_submit(
    *,
    question: Question,
    author,
    body: str,
    kind: str,
    parent: Contribution | None = None,
    fill_seconds: float | None = None,
) -> Contribution:
    """Store a participant's text, published or held for moderation.

    The checks, the spam screening and the language detection run before the
    transaction: on SQLite a transaction holds the database's write lock from
    its start, and the other writers (a harvest, other posts) wait on it.
    """
    consultation = question.consultation
    _may_take_part(author, consultation)
    body = clean_text(body)
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if kind in _KIND_OF_QUESTION and question.kind != _KIND_OF_QUESTION[kind]:
        raise ValidationError(_("This question does not take that kind of text."))
    if kind == ContributionKind.STATEMENT and len(body) > MAX_STATEMENT:
        raise ValidationError(
            {
                "body": _("A statement has at most %(max)d characters.")
                % {"max": MAX_STATEMENT}
            }
        )
    if kind in (ContributionKind.COMMENT, ContributionKind.REPLY):
        wanted = (
            ContributionKind.ANSWER
            if kind == ContributionKind.COMMENT
            else ContributionKind.COMMENT
        )
        if (
            parent is None
            or parent.kind != wanted
            or parent.question_id != question.pk
            or parent.status != Status.PUBLISHED
        ):
            raise ValidationError(_("There is nothing published here to reply to."))
    links = count_links(body)
    screening = screen(
        text=body,
        links=links,
        fill_seconds=fill_seconds,
        trusted=is_trusted(author),
        new=is_new_account(author),
    )
    contribution = Contribution(
        question=question,
        kind=kind,
        parent=parent,
        author=author,
        body=body,
        language=detect_language(body),
        status=screening.status,
        held_because=screening.held_because,
        spam_score=screening.score,
        link_count=links,
        fill_seconds=fill_seconds,
    )
    contribution.full_clean()
    with transaction.atomic():
        contribution.save()
        if contribution.status == Status.PUBLISHED:
            consultation_touch(consultation_id=consultation.pk)
    log.info(
        "consultations.contribution.submitted",
        extra={"id": contribution.pk, "status": contribution.status},
    )
    return contribution


@transaction.atomic
def choice_set(*, question: Question, participant, option: Option) -> Choice:
    """Record or change a participant's answer to a choice question."""
    _may_take_part(participant, question.consultation)
    if question.kind != QuestionKind.CHOICE or option.question_id != question.pk:
        raise ValidationError({"option": _("Choose one of the options offered.")})
    choice, _created = Choice.objects.update_or_create(
        question=question, participant=participant, defaults={"option": option}
    )
    consultation_touch(consultation_id=question.consultation_id)
    return choice


@transaction.atomic
def vote_cast(*, statement: Contribution, participant, value: int) -> Vote:
    """Agree, disagree or pass on a statement; a second vote replaces the first."""
    consultation = statement.question.consultation
    _may_take_part(participant, consultation)
    if statement.kind != ContributionKind.STATEMENT or (
        statement.status != Status.PUBLISHED
    ):
        raise ValidationError(_("Only published statements can be voted on."))
    if value not in (-1, 0, 1):
        raise ValidationError({"value": _("Vote agree, disagree or pass.")})
    vote, _created = Vote.objects.update_or_create(
        statement=statement,
        participant=participant,
        defaults={
            "value": value,
            "consultation": consultation,
            "voted_at": timezone.now(),
        },
    )
    consultation_touch(consultation_id=consultation.pk)
    return vote


@transaction.atomic
def contribution_report(*, contribution: Contribution, reporter, reason: str) -> Report:
    """A signed-in reader flags a contribution for the moderators."""
    if not reporter.is_authenticated:
        raise PermissionDenied(_("Sign in to report a contribution."))
    if contribution.status != Status.PUBLISHED:
        raise ValidationError(_("Only published contributions can be reported."))
    report = Report(
        contribution=contribution, reporter=reporter, reason=clean_text(reason)[:500]
    )
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(
            _("You have already reported this contribution.")
        ) from None
    return report


@transaction.atomic
def contribution_moderate(
    *, contribution: Contribution, moderator, decision: str, reason: str = ""
) -> Contribution:
    """Approve, or remove as spam or off-topic with a reason shown to the author."""
    if not is_moderator(moderator):
        raise PermissionDenied(_("Only moderators decide on contributions."))
    if decision not in Decision.ALL:
        raise ValidationError({"decision": _("Choose approve, spam or off-topic.")})
    reason = clean_text(reason)
    if decision == Decision.OFF_TOPIC and not reason:
        raise ValidationError(
            {"reason": _("Say why it is off-topic: the author will read it.")}
        )
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    was_published = contribution.status == Status.PUBLISHED
    was_moderated = contribution.moderated_by_id is not None
    previous = contribution.status
    contribution.status = {
        Decision.APPROVE: Status.PUBLISHED,
        Decision.SPAM: Status.SPAM,
        Decision.OFF_TOPIC: Status.OFF_TOPIC,
    }[decision]
    contribution.reason = reason if decision != Decision.APPROVE else ""
    contribution.moderated_at = timezone.now()
    contribution.moderated_by = moderator
    contribution.full_clean()
    contribution.save()
    contribution.reports.update(resolved=True)
    if was_published or contribution.status == Status.PUBLISHED:
        consultation_touch(consultation_id=contribution.question.consultation_id)
    example = spam.Example(
        contribution.body,
        fill_seconds=contribution.fill_seconds,
        links=contribution.link_count,
    )
    # The classifier learns spam / not spam; a reversed decision is undone first.
    learned = {Status.PUBLISHED: False, Status.SPAM: True}
    if contribution.status != previous and contribution.status in learned:
        if was_moderated and previous in learned:
            spam.classifier_learn(example=example, spam=learned[previous], weight=-1)
        spam.classifier_learn(example=example, spam=learned[contribution.status])
    return contribution
