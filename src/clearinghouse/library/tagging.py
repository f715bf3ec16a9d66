"""Issue suggestions: the taxonomy's labels and synonyms, in six languages."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Max

from clearinghouse.core.languages import LANGUAGE_CODES, field_suffix
from clearinghouse.taxonomy.models import Issue, Synonym

from .text import fold

# Only the start of a long text is read: a document's subject shows early.
SAMPLE_CHARS = 200_000
# A suggestion's score: how many times its labels occur, saturating here.
SCORE_SATURATION = 5


@dataclass(frozen=True)
class Suggestion:
    """An issue whose labels occur in a text, with a score in (0, 1]."""

    issue_id: int
    score: float


def _has_han(label: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in label)


@lru_cache(maxsize=4)
def _matcher(_version: tuple) -> tuple[re.Pattern | None, dict[str, int]]:
    """One pattern over every folded label, and the issue each label names."""
    labels: dict[str, int] = {}
    names = [f"name_{field_suffix(code)}" for code in LANGUAGE_CODES]
    for row in Issue.objects.values("pk", "name", *names):
        for field in ("name", *names):
            if row[field]:
                labels.setdefault(fold(row[field]).strip(), row["pk"])
    for issue_id, label in Synonym.objects.values_list("issue_id", "label"):
        labels.setdefault(fold(label).strip(), issue_id)
    labels.pop("", None)
    if not labels:
        return None, {}
    # Chinese is written without spaces: its labels match anywhere; the
    # others match whole words only. Longest first, so that the longer of
    # two overlapping labels wins.
    parts = [
        re.escape(label) if _has_han(label) else rf"(?<!\w){re.escape(label)}(?!\w)"
        for label in sorted(labels, key=len, reverse=True)
    ]
    return re.compile("|".join(parts)), labels


def _version() -> tuple:
    issues = Issue.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    return (
        issues["n"],
        issues["at"],
        Synonym.objects.count(),
        Synonym.objects.aggregate(m=Max("pk"))["m"],
    )


def issue_suggester() -> Callable[[str], list[Suggestion]]:
    """`suggest_issues` with the taxonomy read once, for a batch of texts."""
    pattern, labels = _matcher(_version())
    return lambda text: _suggestions(pattern, labels, text)


def suggest_issues(text: str) -> list[Suggestion]:
    """Issues whose labels or synonyms, in any of the six languages, occur in text."""
    return issue_suggester()(text)


def _suggestions(
    pattern: re.Pattern | None, labels: dict[str, int], text: str
) -> list[Suggestion]:
    if pattern is None or not text:
        return []
    counts: dict[int, int] = {}
    for match in pattern.finditer(fold(text[:SAMPLE_CHARS])):
        issue_id = labels[match.group(0)]
        counts[issue_id] = counts.get(issue_id, 0) + 1
    return sorted(
        (
            Suggestion(issue_id, min(count, SCORE_SATURATION) / SCORE_SATURATION)
            for issue_id, count in counts.items()
        ),
        key=lambda suggestion: (-suggestion.score, suggestion.issue_id),
    )
