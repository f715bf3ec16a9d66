"""Loading the governance-filter part of the Forum 2004 dataset (called by
datasets.forum2004): the first questions and rules, and the assessments that
rest on the summary's own positions.

The questions and rules are written as version 1 only when no version exists:
after that they are the secretariat's, and its versions are never overwritten.
Assessments are identified by their dataset key; one already stored with the
same answers is left as it is, so a second load writes nothing.
"""

import logging
from pathlib import Path

import yaml

from clearinghouse.core.languages import translated_values
from clearinghouse.core.models import StakeholderGroup
from clearinghouse.datasets.context import LoadContext
from clearinghouse.events.models import Event

from . import selectors, services
from .models import Answer, Assessment, FilterVersion, MatrixCondition, Outcome

logger = logging.getLogger(__name__)

FILES = ("filter_questions", "filter_rules", "filter_assessments")
ORIGIN_PREFIX = "forum2004:"


def forum2004_check(records: dict[str, list[dict]], checker, issues: set) -> None:
    """Add every problem of the three files to `checker` (see dataset_read)."""
    keys = set()
    for index, question in enumerate(records["filter_questions"]):
        where = f"filter_questions[{index}] {question.get('key')}"
        keys.add(question.get("key"))
        checker.translated(where, question, "text", True)
        checker.translated(where, question, "help", False)
        checker.source(where, question)
        if not isinstance(question.get("order"), int):
            checker.problem(where, "needs an integer order")
    for index, rule in enumerate(records["filter_rules"]):
        where = f"filter_rules[{index}] {rule.get('key')}"
        checker.source(where, rule)
        checker.translated(where, rule, "explanation", False)
        checker.choice(where, rule.get("outcome"), Outcome.values, "outcome")
        checker.choice(
            where,
            rule.get("matrix_condition") or "",
            MatrixCondition.values,
            "matrix condition",
        )
        conditions = rule.get("conditions")
        if not isinstance(conditions, dict) or not conditions:
            checker.problem(where, "needs conditions")
            continue
        for key, allowed in conditions.items():
            checker.choice(where, key, keys, "question")
            for value in allowed if isinstance(allowed, list) else [allowed]:
                checker.choice(where, value, Answer.values, "answer")
    seen = set()
    for index, assessment in enumerate(records["filter_assessments"]):
        where = f"filter_assessments[{index}] {assessment.get('key')}"
        if assessment.get("key") in seen:
            checker.problem(where, "duplicate key")
        seen.add(assessment.get("key"))
        checker.choice(where, assessment.get("issue"), issues, "issue")
        if assessment.get("stakeholder_group"):
            checker.choice(
                where, assessment["stakeholder_group"], StakeholderGroup.values, "group"
            )
        if not assessment.get("meeting"):
            checker.problem(where, "needs the meeting it speaks for")
        answers = assessment.get("answers")
        if not isinstance(answers, dict) or not answers:
            checker.problem(where, "needs answers")
            continue
        for key, answer in answers.items():
            checker.choice(where, key, keys, "question")
            if not isinstance(answer, dict):
                checker.problem(f"{where} {key}", "must be a mapping")
                continue
            checker.choice(
                f"{where} {key}", answer.get("value"), Answer.values, "answer"
            )
            if answer.get("value") != Answer.DONT_KNOW or answer.get("quote"):
                # Every answer that takes a position quotes its sentence.
                checker.source(
                    f"{where} {key}", {"source": {"quote": answer.get("quote")}}
                )


def _translated(record: dict, key: str, field: str) -> dict[str, str]:
    values = {k: str(v).strip() for k, v in (record.get(key) or {}).items() if v}
    return translated_values(field, values)


def _quote(record: dict) -> str:
    return " ".join(str((record.get("source") or {}).get("quote") or "").split())


def version_values(
    questions: list[dict], rules: list[dict]
) -> tuple[list[dict], list[dict]]:
    """The dataset's question and rule records as filter_version_create() takes them."""
    return (
        [
            {
                "key": record["key"],
                "order": record["order"],
                "from_matrix": bool(record.get("from_matrix")),
                **_translated(record, "text", "text"),
                **_translated(record, "help", "help"),
                "source_quote": _quote(record),
            }
            for record in questions
        ],
        [
            {
                "key": record["key"],
                "order": record["order"],
                "outcome": record["outcome"],
                "conditions": {k: list(v) for k, v in record["conditions"].items()},
                "matrix_condition": record.get("matrix_condition") or "",
                **_translated(record, "explanation", "explanation"),
                "source_quote": _quote(record),
            }
            for record in rules
        ],
    )


def version_from_files(data_dir: Path, *, note: str = "") -> FilterVersion:
    """Write a version from the dataset's two files, unchecked (tests, benchmarks)."""
    questions, rules = (
        yaml.safe_load((data_dir / f"{name}.yaml").read_text(encoding="utf-8"))
        for name in ("filter_questions", "filter_rules")
    )
    questions, rules = version_values(questions, rules)
    return services.filter_version_create(questions=questions, rules=rules, note=note)


def _first_version(context: LoadContext) -> FilterVersion:
    if selectors.current_version() is not None:
        context.report.count("filter versions", "unchanged")
        return FilterVersion.objects.order_by("number").first()
    questions, rules = version_values(
        context.records["filter_questions"], context.records["filter_rules"]
    )
    context.where.current = "filter_questions.yaml / filter_rules.yaml"
    version = services.filter_version_create(
        questions=questions, rules=rules, note="Forum 2004 dataset"
    )
    context.report.count("filter versions", "created")
    return version


def _answers(record: dict, version: FilterVersion) -> dict[str, dict]:
    given = record.get("answers") or {}
    answers = {}
    for question in version.questions.all():
        answer = given.get(question.key) or {}
        answers[question.key] = {
            "value": answer.get("value") or Answer.DONT_KNOW,
            "rationale": str(answer.get("rationale") or "").strip(),
            "source_quote": " ".join(str(answer.get("quote") or "").split()),
        }
    return answers


def _same(assessment: Assessment, record: dict, answers: dict[str, dict]) -> bool:
    stored = {
        a.key: {
            "value": a.value,
            "rationale": a.rationale,
            "source_quote": a.source_quote,
        }
        for a in assessment.answers.all()
    }
    return stored == answers and assessment.stakeholder_group == (
        record.get("stakeholder_group") or ""
    )


def forum2004_load(context: LoadContext) -> None:
    """Write the first version (when there is none) and the seeded assessments."""
    version = _first_version(context)
    events = {
        event.uid: event
        for event in Event.objects.filter(uid__endswith="@forum2004.clearinghouse")
    }
    for record in context.records["filter_assessments"]:
        context.where.current = f"filter_assessments.yaml {record['key']}"
        origin_key = f"{ORIGIN_PREFIX}{record['key']}"
        existing = (
            Assessment.objects.filter(origin_key=origin_key)
            .prefetch_related("answers")
            .first()
        )
        answers = _answers(record, existing.version if existing else version)
        if existing is not None and _same(existing, record, answers):
            context.report.count("filter assessments", "unchanged")
            continue
        event = events.get(f"{record['meeting']}@forum2004.clearinghouse")
        meeting = str(event.title) if event else record["meeting"]
        if existing is not None:
            existing.delete()
        services.assessment_create(
            issue=context.issues[record["issue"]],
            by=None,
            stakeholder_group=record.get("stakeholder_group") or "",
            answers=answers,
            on_behalf_of=meeting,
            event=event,
            origin_key=origin_key,
            version=existing.version if existing else version,
        )
        context.report.count(
            "filter assessments", "updated" if existing is not None else "created"
        )
