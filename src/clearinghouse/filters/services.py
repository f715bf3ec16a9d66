"""Writes of the governance filters: versions of the questions and rules, and
assessments.

A version is never changed once written: a change to a question or a rule
writes the next version with every question and rule copied, so assessments
made under the earlier one keep showing what they answered.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from clearinghouse.core.accounts import is_secretariat, is_verified
from clearinghouse.core.models import StakeholderGroup
from clearinghouse.taxonomy.models import Issue

from . import selectors
from .models import (
    Answer,
    AnswerRecord,
    Assessment,
    FilterVersion,
    MatrixCondition,
    Outcome,
    Question,
    Rule,
)
from .rules import check_answers, evaluate

logger = logging.getLogger(__name__)

_SUFFIXES = [code.replace("-", "_") for code, _name in settings.LANGUAGES]
QUESTION_FIELDS = (
    "key",
    "order",
    "source_quote",
    "from_matrix",
    *[f"text_{s}" for s in _SUFFIXES],
    *[f"help_{s}" for s in _SUFFIXES],
)
RULE_FIELDS = (
    "key",
    "order",
    "outcome",
    "conditions",
    "matrix_condition",
    "source_quote",
    *[f"explanation_{s}" for s in _SUFFIXES],
)


def _check_rule(values: dict, keys: set[str]) -> list[str]:
    """Problems with a rule's conditions, given the question keys of its version."""
    problems = []
    where = values.get("key", "?")
    conditions = values.get("conditions")
    if not isinstance(conditions, dict):
        return [
            _("Rule “%(key)s”: conditions must map questions to answers.")
            % {"key": where}
        ]
    if not conditions and not values.get("matrix_condition"):
        problems.append(
            _("Rule “%(key)s” has no condition: it would apply to every assessment.")
            % {"key": where}
        )
    for key, allowed in conditions.items():
        if key not in keys:
            problems.append(
                _(
                    "Rule “%(rule)s” refers to a question “%(key)s” that is not "
                    "in the version."
                )
                % {"rule": where, "key": key}
            )
        if (
            not isinstance(allowed, list)
            or not allowed
            or any(value not in Answer.values for value in allowed)
        ):
            problems.append(
                _(
                    "Rule “%(rule)s”: the answers for “%(key)s” must be a "
                    "non-empty list of %(choices)s."
                )
                % {"rule": where, "key": key, "choices": ", ".join(Answer.values)}
            )
    if values.get("outcome") not in Outcome.values:
        problems.append(_("Rule “%(key)s” needs an outcome.") % {"key": where})
    if values.get("matrix_condition", "") not in MatrixCondition.values:
        problems.append(_("Rule “%(key)s”: unknown matrix condition.") % {"key": where})
    return problems


@transaction.atomic
def filter_version_create(
    *, questions: list[dict], rules: list[dict], by=None, note: str = ""
) -> FilterVersion:
    """Write a new version holding these questions and rules (all of them)."""
    keys = {q.get("key") for q in questions}
    problems = [p for r in rules for p in _check_rule(r, keys)]
    if len(keys) != len(questions):
        problems.append(_("Two questions have the same key."))
    if problems:
        raise ValidationError(problems)
    last = FilterVersion.objects.select_for_update().aggregate(n=Max("number"))["n"]
    version = FilterVersion(number=(last or 0) + 1, created_by=by, note=note[:500])
    version.full_clean()
    version.save()
    for values in questions:
        question = Question(version=version, **values)
        question.full_clean()
        question.save()
    for values in rules:
        rule = Rule(version=version, **values)
        rule.full_clean()
        rule.save()
    logger.info(
        "filters.version.created",
        extra={"number": version.number, "by": getattr(by, "pk", None)},
    )
    return version


def _values(obj, names: tuple[str, ...]) -> dict:
    return {name: getattr(obj, name) for name in names}


@transaction.atomic
def filter_version_revise(
    *,
    by,
    note: str,
    questions: dict[str, dict] | None = None,
    rules: dict[str, dict] | None = None,
) -> FilterVersion:
    """The current version with these changes, written as the next version.

    `questions` and `rules` map a key to the fields that change. The
    secretariat only; nothing is written when nothing differs.
    """
    if by is not None and not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat may change the filters."))
    base = selectors.current_version()
    if base is None:
        raise ValidationError(_("There is no version of the filters to change yet."))
    question_values = [
        _values(q, QUESTION_FIELDS) for q in base.questions.order_by("order")
    ]
    rule_values = [_values(r, RULE_FIELDS) for r in base.rules.order_by("order")]
    changed = False
    for items, changes, what in (
        (question_values, questions or {}, _("question")),
        (rule_values, rules or {}, _("rule")),
    ):
        by_key = {item["key"]: item for item in items}
        for key, fields in changes.items():
            if key not in by_key:
                raise ValidationError(
                    _("There is no %(what)s “%(key)s”.") % {"what": what, "key": key}
                )
            for name, value in fields.items():
                if name == "key":
                    continue
                if by_key[key].get(name) != value:
                    by_key[key][name] = value
                    changed = True
    if not changed:
        raise ValidationError(_("Nothing changed: no new version was written."))
    return filter_version_create(
        questions=question_values, rules=rule_values, by=by, note=note
    )


def _clean_urls(answers: dict[str, dict]) -> dict[str, list[str]]:
    """Source URLs that are not http(s) URLs, by question key."""
    validate = URLValidator(schemes=["http", "https"])
    problems: dict[str, list[str]] = {}
    for key, answer in answers.items():
        urls = answer.get("source_urls") or []
        if not isinstance(urls, list):
            urls = [urls]
        for url in urls:
            try:
                validate(str(url))
            except ValidationError:
                problems.setdefault(key, []).append(
                    _("“%(url)s” is not a web address (http or https).")
                    % {"url": str(url)[:100]}
                )
    return problems


@transaction.atomic
def assessment_create(
    *,
    issue: Issue,
    by,
    stakeholder_group: str,
    answers: dict[str, dict],
    on_behalf_of: str = "",
    event=None,
    origin_key: str = "",
    version: FilterVersion | None = None,
) -> Assessment:
    """Put an issue through the filters and store the outcome with its reason.

    `answers` maps each question key of the version to {"value", "rationale",
    "source_urls", "source_quote"}. `by` must have a verified account; only
    the secretariat records on behalf of a meeting; `by=None` is the dataset
    loader. A half-filled or contradictory assessment raises a
    ValidationError keyed by question (the key "" for the whole). A
    participant's new assessment of an issue replaces their earlier one in
    the consensus map (the earlier one stays visible).
    """
    if by is not None and not is_verified(by):
        raise PermissionDenied(
            _("Only participants with a verified e-mail address may assess issues.")
        )
    if on_behalf_of and by is not None and not is_secretariat(by):
        raise PermissionDenied(
            _("Only the secretariat may record an assessment on behalf of a meeting.")
        )
    version = version or selectors.current_version()
    if version is None:
        raise ValidationError(_("The filter questions have not been set up yet."))
    problems: dict[str, list[str]] = {}
    if stakeholder_group and stakeholder_group not in StakeholderGroup.values:
        problems["stakeholder_group"] = [_("Choose one of the stakeholder groups.")]
    if not stakeholder_group and not on_behalf_of:
        problems["stakeholder_group"] = [_("Declare your stakeholder group.")]
    questions = selectors.version_questions(version)
    facts = selectors.matrix_facts(issue)
    infos = selectors.question_infos(questions)
    for key, messages in check_answers(
        questions=infos, answers=answers, facts=facts
    ).items():
        problems.setdefault(key, []).extend(messages)
    for key, messages in _clean_urls(answers).items():
        problems.setdefault(key, []).extend(messages)
    if problems:
        raise ValidationError(problems)
    values = {key: answer["value"] for key, answer in answers.items()}
    verdict = evaluate(
        rules=selectors.rule_infos(selectors.version_rules(version)),
        questions=infos,
        answers=values,
        facts=facts,
    )
    if by is not None and not on_behalf_of:
        Assessment.objects.filter(
            issue=issue, author=by, on_behalf_of="", is_current=True
        ).update(is_current=False)
    assessment = Assessment(
        issue=issue,
        version=version,
        author=by,
        stakeholder_group=stakeholder_group,
        on_behalf_of=on_behalf_of,
        event=event,
        outcome=verdict.outcome,
        rule_id=verdict.rule.pk if verdict.rule else None,
        matrix_mandates=list(facts.mandates),
        answer_values={q.key: answers[q.key]["value"] for q in questions},
        matrix_shared_role=facts.shared_role,
        origin_key=origin_key,
    )
    assessment.full_clean()
    assessment.save()
    records = []
    for question in questions:
        answer = answers[question.key]
        urls = answer.get("source_urls") or []
        record = AnswerRecord(
            assessment=assessment,
            question=question,
            key=question.key,
            value=answer["value"],
            rationale=(answer.get("rationale") or "").strip(),
            source_quote=(answer.get("source_quote") or "").strip(),
            source_urls=[str(u) for u in (urls if isinstance(urls, list) else [urls])],
        )
        record.full_clean(exclude=["assessment", "question"])
        records.append(record)
    AnswerRecord.objects.bulk_create(records)
    logger.info(
        "filters.assessment.created",
        extra={"issue": issue.slug, "outcome": verdict.outcome, "pk": assessment.pk},
    )
    return assessment


@transaction.atomic
def assessment_delete(*, assessment: Assessment, by) -> None:
    """The secretariat removes an assessment (spam, a mistake); the author's
    previous assessment of the issue counts again."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat may remove an assessment."))
    previous = None
    if assessment.is_current and assessment.author_id and not assessment.on_behalf_of:
        previous = (
            Assessment.objects.filter(
                issue_id=assessment.issue_id,
                author_id=assessment.author_id,
                on_behalf_of="",
            )
            .exclude(pk=assessment.pk)
            .order_by("-created_at", "-pk")
            .first()
        )
    assessment.delete()
    if previous is not None:
        previous.is_current = True
        previous.save(update_fields=["is_current"])
