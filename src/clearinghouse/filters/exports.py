"""Rows of the filters' exports: assessments (one row per answer) and the
consensus map (one row per issue, question and stakeholder group)."""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from clearinghouse.core.exporters import Column

from . import selectors
from .models import Answer, AnswerRecord, Outcome

ASSESSMENT_COLUMNS = [
    Column("assessment", _("Assessment")),
    Column("issue", _("Issue")),
    Column("version", _("Version")),
    Column("created_at", _("Date")),
    Column("stakeholder_group", _("Stakeholder group")),
    Column("on_behalf_of", _("On behalf of the meeting")),
    Column("author", _("Author")),
    Column("outcome", _("Outcome")),
    Column("rule", _("Rule applied")),
    Column("current", _("Current")),
    Column("question", _("Question")),
    Column("answer", _("Answer")),
    Column("rationale", _("Rationale")),
    Column("source_quote", _("Source quote")),
    Column("source_urls", _("Source URLs")),
]

CONSENSUS_COLUMNS = [
    Column("issue", _("Issue")),
    Column("question", _("Question")),
    Column("stakeholder_group", _("Stakeholder group")),
    *[Column(value, label) for value, label in Answer.choices],
    Column("group_position", _("Group position (yes = 1, no = 0)")),
    Column("agreement", _("Agreement between groups (0–1)")),
    Column("status", _("Agreement")),
    Column("assessments", _("Assessments of the issue")),
    Column("leading_outcome", _("Leading outcome")),
    Column("leading_share", _("Share reaching it")),
]


def assessment_rows() -> Iterator[dict]:
    """Every answer of every assessment, with its assessment (names with consent)."""
    answers = (
        AnswerRecord.objects.select_related(
            "assessment__issue",
            "assessment__version",
            "assessment__rule",
            "assessment__author__profile",
        )
        .order_by("assessment__issue__slug", "assessment_id", "question__order")
        .iterator(chunk_size=2000)
    )
    for answer in answers:
        assessment = answer.assessment
        yield {
            "assessment": assessment.pk,
            "issue": assessment.issue.slug,
            "version": assessment.version.number,
            "created_at": assessment.created_at.isoformat(),
            "stakeholder_group": assessment.stakeholder_group,
            "on_behalf_of": assessment.on_behalf_of,
            "author": selectors.author_name(assessment),
            "outcome": assessment.outcome,
            "rule": assessment.rule.key if assessment.rule else "",
            "current": "yes" if assessment.is_current else "no",
            "question": answer.key,
            "answer": answer.value,
            "rationale": answer.rationale,
            "source_quote": answer.source_quote,
            "source_urls": answer.source_urls,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def consensus_rows(consensus: selectors.ConsensusMap) -> Iterator[dict]:
    """One row per issue, question and group, with the issue's figures repeated."""
    for issue in consensus.issues:
        for question in issue.questions:
            for group in question.groups:
                yield {
                    "issue": issue.slug,
                    "question": question.key,
                    "stakeholder_group": group.group or "meeting",
                    **{value: group.count(value) for value in Answer.values},
                    "group_position": _round(group.position),
                    "agreement": _round(question.agreement),
                    "status": question.status,
                    "assessments": issue.assessments,
                    "leading_outcome": issue.leading_outcome,
                    "leading_share": _round(issue.leading_share),
                }


OUTCOME_KEYS = Outcome.values
