"""Reads of the governance filters: versions, matrix facts, assessments and the
consensus map.

The consensus map across all issues is counted in the database (two grouped
queries, whatever the number of assessments) and cached per data version.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.matrix.models import Mandate, RoleCode
from clearinghouse.taxonomy.models import Issue

from .models import (
    Answer,
    AnswerRecord,
    Assessment,
    FilterVersion,
    Outcome,
    Question,
    Rule,
)
from .rules import Because, MatrixFacts, QuestionInfo, RuleInfo, Verdict, matrix_reason

# Answers as positions on one scale; "don't know" is no position.
SCORES = {Answer.YES: 1.0, Answer.PARTLY: 0.5, Answer.NO: 0.0}
AGREED_FROM = 0.75  # groups stand at most a quarter of the scale apart
DIVERGENT_BELOW = 0.5  # groups stand more than half the scale apart
MEETING = ""  # the stakeholder group of a meeting speaking as a whole
# Outcomes the map ranks: where something must be done beyond existing bodies.
RANKED_OUTCOMES = (Outcome.NEEDS_A_HOME, Outcome.INTERNATIONAL_COOPERATION)


def current_version() -> FilterVersion | None:
    """The newest version of the questions and rules."""
    return FilterVersion.objects.order_by("-number").first()


def version_by_number(number: int) -> FilterVersion | None:
    """A version by its number, or None."""
    return FilterVersion.objects.filter(number=number).first()


def versions() -> list[FilterVersion]:
    """Every version, newest first, with who made it."""
    return list(FilterVersion.objects.select_related("created_by").order_by("-number"))


def version_questions(version: FilterVersion) -> list[Question]:
    """The questions of a version, in order."""
    return list(version.questions.order_by("order"))


def version_rules(version: FilterVersion) -> list[Rule]:
    """The rules of a version, in order."""
    return list(version.rules.order_by("order"))


def question_infos(questions: list[Question]) -> list[QuestionInfo]:
    """Questions as the checks need them, in the active language."""
    return [
        QuestionInfo(key=q.key, order=q.order, text=q.text, from_matrix=q.from_matrix)
        for q in questions
    ]


def rule_infos(rules: list[Rule]) -> list[RuleInfo]:
    """Rules as the evaluation needs them."""
    return [
        RuleInfo(
            pk=r.pk,
            key=r.key,
            order=r.order,
            outcome=r.outcome,
            conditions=r.conditions,
            matrix_condition=r.matrix_condition,
            explanation=r.explanation,
        )
        for r in rules
    ]


def matrix_facts(issue: Issue) -> MatrixFacts:
    """The active mandates on an issue with their roles, and whether two share one."""
    mandates = []
    holders: dict[str, int] = defaultdict(int)
    for mandate in Mandate.objects.active().for_issue(issue):
        roles = sorted(role.code for role in mandate.roles.all())
        for code in roles:
            holders[code] += 1
        mandates.append(
            {
                "institution": mandate.institution.short_name,
                "slug": mandate.institution.slug,
                "roles": roles,
            }
        )
    return MatrixFacts(
        mandates=tuple(mandates), shared_role=any(n >= 2 for n in holders.values())
    )


def role_labels(codes: list[str]) -> str:
    """Role codes as names in the active language."""
    return ", ".join(str(RoleCode(code).label) for code in codes if code in RoleCode)


def prefill_from_matrix(facts: MatrixFacts) -> tuple[str, str]:
    """The answer and rationale the matrix suggests for “dealt with by existing
    bodies?”; the assessor confirms or corrects them."""
    if not facts.mandates:
        return Answer.NO, _("The matrix lists no active mandate on this issue.")
    listed = "; ".join(
        f"{m['institution']} ({role_labels(m['roles'])})" for m in facts.mandates
    )
    return Answer.YES, _("The matrix lists these active mandates: %(list)s.") % {
        "list": listed
    }


def facts_of(assessment: Assessment) -> MatrixFacts:
    """The matrix as the assessment recorded it."""
    return MatrixFacts(
        mandates=tuple(assessment.matrix_mandates or ()),
        shared_role=assessment.matrix_shared_role,
    )


def verdict_of(assessment: Assessment, questions: list[Question]) -> Verdict:
    """The stored outcome of an assessment with its reason, from its own version."""
    rule = assessment.rule
    if rule is None:
        return Verdict(outcome="", rule=None)
    by_key = {q.key: q for q in questions}
    values = {a.key: a.value for a in assessment.answers.all()}
    labels = dict(Answer.choices)
    because = [
        Because(
            order=by_key[key].order,
            question=by_key[key].text,
            answer=str(labels.get(values.get(key), "—")),
        )
        for key in sorted(rule.conditions, key=lambda k: by_key[k].order)
        if key in by_key
    ]
    return Verdict(
        outcome=assessment.outcome,
        rule=rule_infos([rule])[0],
        because=because,
        matrix_reason=matrix_reason(rule.matrix_condition, facts_of(assessment)),
    )


def author_name(assessment: Assessment) -> str:
    """The author's name where they consented to show it, else ""."""
    user = assessment.author
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    if profile is None or not profile.show_name:
        return ""
    return user.get_full_name() or user.username


def group_label(code: str) -> str:
    """A stakeholder group's name, or “the meeting as a whole”."""
    if code == MEETING:
        return _("The meeting as a whole")
    return str(StakeholderGroup(code).label) if code in StakeholderGroup else code


def assessment_detail(pk: int) -> Assessment | None:
    """An assessment with what its page shows."""
    return (
        Assessment.objects.select_related(
            "issue", "version", "rule", "author__profile", "event"
        )
        .prefetch_related("answers")
        .filter(pk=pk)
        .first()
    )


def issue_assessments(issue: Issue, *, current_only: bool = True) -> list[Assessment]:
    """The assessments of an issue, newest first."""
    qs = Assessment.objects.filter(issue=issue)
    if current_only:
        qs = qs.current()
    return list(qs.select_related("author__profile", "version"))


def latest_outcome(issue: Issue) -> Assessment | None:
    """The issue's most recent current assessment, for issue and cell pages."""
    return (
        Assessment.objects.current()
        .filter(issue=issue)
        .select_related("version")
        .order_by("-created_at", "-pk")
        .first()
    )


# ---------------------------------------------------------------- consensus map


@dataclass(slots=True)
class GroupAnswers:
    """How one stakeholder group answered one question on one issue."""

    group: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    # The mean of yes = 1, partly = ½, no = 0; None when only “don't know”.
    position: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        weight = total = 0.0
        for value, n in self.counts.items():
            score = SCORES.get(value)
            if score is not None:
                weight += n
                total += score * n
        self.position = total / weight if weight else None

    @property
    def total(self) -> int:
        """Every answer, “don't know” included."""
        return sum(self.counts.values())

    def count(self, value: str) -> int:
        """Answers with this value."""
        return self.counts.get(value, 0)

    def cells(self) -> list[int]:
        """Counts in the order of the answers (yes, partly, no, don't know)."""
        return [self.counts.get(value, 0) for value in Answer.values]


def agreement_status(agreement: float | None) -> str:
    """“agreed”, “mixed”, “divergent”, or “” when nobody took a position."""
    if agreement is None:
        return ""
    if agreement >= AGREED_FROM:
        return "agreed"
    if agreement < DIVERGENT_BELOW:
        return "divergent"
    return "mixed"


STATUS_LABELS = {
    "agreed": gettext_lazy("agreed"),
    "mixed": gettext_lazy("mixed"),
    "divergent": gettext_lazy("divergent"),
    "single": gettext_lazy("one stakeholder group only"),
    "": gettext_lazy("no position"),
}


@dataclass(slots=True)
class QuestionConsensus:
    """One question on one issue: the groups' answers and how far apart they are.

    agreement = 1 − (highest group position − lowest): 1 when all groups
    stand together, 0 when one says yes and another no. status: agreed,
    mixed, divergent; "single" when one stakeholder group alone took a
    position (a meeting speaking as a whole stands for every group); ""
    when nobody did.
    """

    key: str
    order: int
    text: str
    groups: list[GroupAnswers] = field(default_factory=list)
    agreement: float | None = field(init=False, default=None)
    status: str = field(init=False, default="")

    def __post_init__(self) -> None:
        positioned = [g for g in self.groups if g.position is not None]
        if positioned:
            positions = [g.position for g in positioned]
            self.agreement = 1.0 - (max(positions) - min(positions))
        if len(positioned) == 1 and positioned[0].group != MEETING:
            self.status = "single"
        else:
            self.status = agreement_status(self.agreement)

    @property
    def status_label(self) -> str:
        """The status in the active language."""
        return str(STATUS_LABELS[self.status])


def _leading(outcomes: dict[str, int]) -> str:
    """The outcome most assessments reach (ties: the order of Outcome)."""
    best, most = "", 0
    for value in Outcome.values:
        n = outcomes.get(value, 0)
        if n > most:
            best, most = value, n
    return best


@dataclass(slots=True)
class IssueConsensus:
    """The consensus map of one issue.

    agreement: the mean over the questions anyone took a position on.
    status: divergent when the groups diverge on any question; "single" or
    "" when no question has more than that; else agreed or mixed by the mean.
    """

    pk: int
    slug: str
    name: str
    url: str
    assessments: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    questions: list[QuestionConsensus] = field(default_factory=list)
    leading_outcome: str = field(init=False, default="")
    leading_share: float = field(init=False, default=0.0)
    agreement: float | None = field(init=False, default=None)
    status: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.leading_outcome = _leading(self.outcomes)
        if self.assessments and self.leading_outcome:
            self.leading_share = self.outcomes[self.leading_outcome] / self.assessments
        values = [q.agreement for q in self.questions if q.agreement is not None]
        self.agreement = sum(values) / len(values) if values else None
        statuses = {q.status for q in self.questions}
        if "divergent" in statuses:
            self.status = "divergent"
        elif not statuses - {"", "single"}:
            self.status = "single" if "single" in statuses else ""
        else:
            self.status = agreement_status(self.agreement)

    @property
    def leading_label(self) -> str:
        """The leading outcome in the active language."""
        value = self.leading_outcome
        return str(Outcome(value).label) if value else _("No outcome")

    def share(self, outcome: str) -> float:
        """The share (0–1) of assessments reaching an outcome."""
        if not self.assessments:
            return 0.0
        return self.outcomes.get(outcome, 0) / self.assessments

    @property
    def status_label(self) -> str:
        """The status in the active language."""
        return str(STATUS_LABELS[self.status])

    @property
    def divergent(self) -> list[QuestionConsensus]:
        """The questions on which groups diverge."""
        return [q for q in self.questions if q.status == "divergent"]


def _rank_key(issue: IssueConsensus) -> tuple:
    return (
        -issue.leading_share,
        -(issue.agreement or 0.0),
        -issue.assessments,
        issue.name,
    )


@dataclass
class ConsensusMap:
    """The consensus map across issues.

    `ranked`: issues led to “needs a home” or “international cooperation”,
    most agreed first (share reaching the outcome, then agreement on answers).
    """

    issues: list[IssueConsensus]
    questions: list[tuple[str, int, str]]
    outcomes: dict[str, int]
    assessments: int
    ranked: list[IssueConsensus] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.ranked = sorted(
            (i for i in self.issues if i.leading_outcome in RANKED_OUTCOMES),
            key=_rank_key,
        )

    def share(self, outcome: str) -> float:
        """The share (0–1) of all current assessments reaching an outcome."""
        if not self.assessments:
            return 0.0
        return self.outcomes.get(outcome, 0) / self.assessments

    def issue(self, pk: int) -> IssueConsensus | None:
        """One issue's map, or None when it has no assessment."""
        return next((i for i in self.issues if i.pk == pk), None)


def _question_labels() -> list[tuple[str, int, str]]:
    """(key, order, text) of every question key, from the newest version that has it."""
    seen: dict[str, tuple[str, int, str]] = {}
    for question in Question.objects.select_related("version").order_by(
        "-version__number", "order"
    ):
        seen.setdefault(question.key, (question.key, question.order, question.text))
    newest = current_version()
    rank = {}
    if newest is not None:
        rank = {q.key: q.order for q in newest.questions.all()}
    return sorted(
        seen.values(), key=lambda item: (rank.get(item[0], 999), item[1], item[0])
    )


def consensus_map(*, issue_ids: list[int] | None = None) -> ConsensusMap:
    """The consensus map of the given issues (all assessed issues by default).

    One pass over the current assessments, each read with its answers as one
    small mapping (Assessment.answer_values), then the issues and the
    question labels: a fixed number of queries whatever the size.
    """
    current = Assessment.objects.current().order_by()
    if issue_ids is not None:
        current = current.filter(issue_id__in=issue_ids)
    outcomes: dict[int, dict[str, int]] = defaultdict(dict)
    # issue → question key → group → answer → count
    counts: dict[int, dict[str, dict[str, dict[str, int]]]] = {}
    for issue_id, group, outcome, values in current.values_list(
        "issue_id", "stakeholder_group", "outcome", "answer_values"
    ):
        tally = outcomes[issue_id]
        tally[outcome] = tally.get(outcome, 0) + 1
        by_key = counts.get(issue_id)
        if by_key is None:
            by_key = counts[issue_id] = {}
        for key, value in values.items():
            by_group = by_key.get(key)
            if by_group is None:
                by_group = by_key[key] = {}
            cell = by_group.get(group)
            if cell is None:
                cell = by_group[group] = {}
            cell[value] = cell.get(value, 0) + 1
    labels = _question_labels()
    group_order = {
        code: i for i, code in enumerate([MEETING, *StakeholderGroup.values])
    }
    group_names = {code: group_label(code) for code in group_order}
    head, tail = reverse("filters:issue", kwargs={"slug": "SLUG"}).split("SLUG", 1)
    issues: list[IssueConsensus] = []
    totals: dict[str, int] = defaultdict(int)
    for issue in Issue.objects.filter(pk__in=list(outcomes)).order_by(
        "area__order", "area__slug", "slug"
    ):
        issue_outcomes = outcomes[issue.pk]
        for outcome, n in issue_outcomes.items():
            totals[outcome] += n
        by_key = counts.get(issue.pk, {})
        questions = []
        for key, order, text in labels:
            groups = by_key.get(key)
            if not groups:
                continue
            questions.append(
                QuestionConsensus(
                    key=key,
                    order=order,
                    text=text,
                    groups=[
                        GroupAnswers(group=g, label=group_names.get(g, g), counts=c)
                        for g, c in sorted(
                            groups.items(),
                            key=lambda item: group_order.get(item[0], 99),
                        )
                    ],
                )
            )
        issues.append(
            IssueConsensus(
                pk=issue.pk,
                slug=issue.slug,
                name=issue.name,
                url=f"{head}{issue.slug}{tail}",
                assessments=sum(issue_outcomes.values()),
                outcomes=issue_outcomes,
                questions=questions,
            )
        )
    return ConsensusMap(
        issues=issues,
        questions=labels,
        outcomes=dict(totals),
        assessments=sum(totals.values()),
    )


def filters_version() -> str:
    """A fingerprint that changes whenever anything the consensus map shows changes.

    Assessments are never edited, only added, superseded (a new row) or
    deleted; versions and issues are read through their counts and last changes.
    """
    a = Assessment.objects.order_by().aggregate(
        n=Count("id"), last=Max("id"), current=Count("id", filter=Q(is_current=True))
    )
    v = FilterVersion.objects.order_by().aggregate(n=Count("id"), last=Max("number"))
    i = Issue.objects.order_by().aggregate(n=Count("id"), last=Max("updated_at"))
    answers = AnswerRecord.objects.order_by().aggregate(n=Count("id"), last=Max("id"))
    parts = [a, v, i, answers]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


CONSENSUS_CACHE_SECONDS = 3600


def consensus_map_cached() -> ConsensusMap:
    """consensus_map() across all issues, cached per data version and language."""
    key = f"filters-consensus:{filters_version()}:{get_language()}"
    result = cache.get(key)
    if result is None:
        result = consensus_map()
        cache.set(key, result, CONSENSUS_CACHE_SECONDS)
    return result
