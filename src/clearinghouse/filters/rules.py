"""Applying a version's rules to a set of answers, and checking the answers.

Pure functions over plain values, so the same code serves the form, the API,
the dataset loader and the tests.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Answer, MatrixCondition, Outcome

# Keys of the first question set that the consistency checks refer to. A
# later version without one of them simply skips the check that needs it.
CROSS_BORDER = "cross_border"
LOWER_LEVEL = "lower_level"


@dataclass(frozen=True)
class MatrixFacts:
    """What the matrix shows about an issue when it is assessed."""

    mandates: tuple[dict, ...] = ()
    shared_role: bool = False

    @property
    def active(self) -> int:
        """How many active mandates there are."""
        return len(self.mandates)

    def names(self) -> str:
        """The institutions, for messages: “ITU, OECD”."""
        return ", ".join(m["institution"] for m in self.mandates)

    def holds(self, condition: str) -> bool:
        """Whether the facts meet a rule's condition on the matrix."""
        if condition == MatrixCondition.NO_ACTIVE_MANDATE:
            return not self.mandates
        if condition == MatrixCondition.ACTIVE_MANDATES:
            return bool(self.mandates)
        if condition == MatrixCondition.SHARED_ROLE:
            return self.shared_role
        return True


@dataclass(frozen=True)
class QuestionInfo:
    """A question as the checks and reasons need it."""

    key: str
    order: int
    text: str
    from_matrix: bool = False


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the evaluation needs it."""

    pk: int | None
    key: str
    order: int
    outcome: str
    conditions: dict
    matrix_condition: str = ""
    explanation: str = ""


@dataclass
class Because:
    """One reason for an outcome: a question and the answer given to it."""

    order: int
    question: str
    answer: str

    def __str__(self) -> str:
        return _("%(order)s. %(question)s — %(answer)s") % {
            "order": self.order,
            "question": self.question,
            "answer": self.answer,
        }


@dataclass
class Verdict:
    """The outcome a rule gives, and why."""

    outcome: str
    rule: RuleInfo | None
    because: list[Because] = field(default_factory=list)
    matrix_reason: str = ""

    @property
    def outcome_label(self) -> str:
        """The outcome's name in the active language, or “no outcome”."""
        if not self.outcome:
            return _("No outcome")
        return str(Outcome(self.outcome).label)

    def reason(self) -> str:
        """The reason as one sentence: “because …”."""
        if self.rule is None:
            return _("because no rule applies to these answers")
        parts = [str(item) for item in self.because]
        if self.matrix_reason:
            parts.append(self.matrix_reason)
        return _("because %(reasons)s") % {"reasons": "; ".join(parts)}


def matrix_reason(condition: str, facts: MatrixFacts) -> str:
    """The matrix condition of a rule, as a reason."""
    if condition == MatrixCondition.NO_ACTIVE_MANDATE:
        return _("the matrix listed no active mandate on the issue")
    if condition == MatrixCondition.ACTIVE_MANDATES:
        return _("the matrix listed active mandates (%(names)s)") % {
            "names": facts.names()
        }
    if condition == MatrixCondition.SHARED_ROLE:
        return _("in the matrix several bodies shared a role (%(names)s)") % {
            "names": facts.names()
        }
    return ""


def evaluate(
    *,
    rules: list[RuleInfo],
    questions: list[QuestionInfo],
    answers: dict[str, str],
    facts: MatrixFacts,
) -> Verdict:
    """The first rule, in order, whose every condition holds; else no outcome."""
    by_key = {question.key: question for question in questions}
    labels = dict(Answer.choices)
    for rule in sorted(rules, key=lambda r: r.order):
        met = all(
            answers.get(key) in allowed for key, allowed in rule.conditions.items()
        ) and facts.holds(rule.matrix_condition)
        if not met:
            continue
        because = [
            Because(
                order=by_key[key].order,
                question=by_key[key].text,
                answer=str(labels[answers[key]]),
            )
            for key in sorted(rule.conditions, key=lambda k: by_key[k].order)
            if key in by_key
        ]
        return Verdict(
            outcome=rule.outcome,
            rule=rule,
            because=because,
            matrix_reason=matrix_reason(rule.matrix_condition, facts),
        )
    return Verdict(outcome="", rule=None)


def check_answers(
    *,
    questions: list[QuestionInfo],
    answers: dict[str, dict],
    facts: MatrixFacts,
) -> dict[str, list[str]]:
    """Problems with a set of answers, by question key ("" for the whole).

    `answers` maps a key to {"value", "rationale", "source_urls"}. An answer
    is missing, unknown, without a rationale, or contradicts the matrix or
    another answer: each problem names the questions it is about.
    """
    problems: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        problems.setdefault(key, []).append(message)

    by_key = {question.key: question for question in questions}
    for key in sorted(set(answers) - set(by_key)):
        add("", _("There is no question “%(key)s” in this version.") % {"key": key})
    values = {}
    for question in questions:
        answer = answers.get(question.key) or {}
        value = answer.get("value") or ""
        if not value:
            add(
                question.key,
                _("Question %(order)s (“%(text)s”) has no answer.")
                % {"order": question.order, "text": question.text},
            )
            continue
        if value not in Answer.values:
            add(
                question.key,
                _(
                    "Question %(order)s: “%(value)s” is not an answer; "
                    "choose %(choices)s."
                )
                % {
                    "order": question.order,
                    "value": str(value)[:20],
                    "choices": ", ".join(str(label) for label in Answer.labels),
                },
            )
            continue
        values[question.key] = value
        if value != Answer.DONT_KNOW and not (answer.get("rationale") or "").strip():
            add(
                question.key,
                _(
                    "Question %(order)s: give the rationale for your answer "
                    "“%(answer)s” (only “Don't know” needs none)."
                )
                % {"order": question.order, "answer": Answer(value).label},
            )
    for question in questions:
        if not question.from_matrix or question.key not in values:
            continue
        value = values[question.key]
        if value == Answer.NO and facts.active:
            add(
                question.key,
                _(
                    "Question %(order)s: you answered that no existing body deals "
                    "with the issue, but the matrix lists %(count)s active "
                    "mandate(s) on it (%(names)s). Answer “Yes” or “Partly”, or "
                    "ask the secretariat to correct the matrix."
                )
                % {
                    "order": question.order,
                    "count": facts.active,
                    "names": facts.names(),
                },
            )
        if (
            value == Answer.YES
            and not facts.active
            and not (answers[question.key].get("source_urls") or [])
        ):
            add(
                question.key,
                _(
                    "Question %(order)s: you answered that existing bodies deal "
                    "with the issue, but the matrix lists no active mandate on "
                    "it. Name the bodies in the rationale and give a source URL."
                )
                % {"order": question.order},
            )
    if values.get(CROSS_BORDER) == Answer.NO and values.get(LOWER_LEVEL) == Answer.NO:
        add(
            LOWER_LEVEL,
            _(
                "Questions %(first)s and %(second)s contradict each other: an "
                "issue that can be handled within one jurisdiction (question "
                "%(first)s: “No”) can be handled at a lower level (question "
                "%(second)s cannot be “No”)."
            )
            % {
                "first": by_key[CROSS_BORDER].order,
                "second": by_key[LOWER_LEVEL].order,
            },
        )
    return problems
