"""Per-issue thresholds for applying suggested issues, learnt from curators' decisions.

Every suggestion a curator confirms or rejects is a labelled example: the
score the suggestion had, and whether it was right. For an issue, the
threshold is the lowest score t at which the estimated precision of
suggestions scoring t or more reaches the target (by default 0.9). With few
decisions on an issue its own precision is unreliable, so it is shrunk
towards the precision of all issues together at the same t (a beta-binomial
estimate with `prior_weight` pseudo-decisions):

    p_issue(t) = (accepted_issue(t) + m · p_all(t)) / (decided_issue(t) + m)

When nothing at all has been decided yet, the configured default threshold
holds. An issue whose estimate never reaches the target gets no automatic
tags: all its suggestions go to the curator.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

NEVER = 2.0  # above any cosine similarity: no suggestion is applied automatically


@dataclass(frozen=True)
class Decision:
    """A curator's verdict on a suggestion: the issue, its score, right or wrong."""

    issue_id: int
    score: float
    accepted: bool


@dataclass(frozen=True)
class Threshold:
    """An issue's threshold, with the evidence it rests on."""

    issue_id: int
    threshold: float
    decisions: int
    precision: float | None


class _Counts:
    """How many decisions score t or more, and how many of them were right."""

    def __init__(self, decisions: list[Decision]) -> None:
        ordered = sorted(decisions, key=lambda d: d.score)
        self.scores = np.array([d.score for d in ordered], dtype=np.float64)
        right = np.array([d.accepted for d in ordered], dtype=np.int64)
        # suffix sums: from position i to the end
        self.right = np.concatenate([np.cumsum(right[::-1])[::-1], [0]])

    def at(self, t: float) -> tuple[int, int]:
        start = int(np.searchsorted(self.scores, t, side="left"))
        return int(self.right[start]), len(self.scores) - start


def calibrate(
    decisions: Iterable[Decision],
    issue_ids: Iterable[int],
    *,
    target: float = 0.9,
    default: float = 0.5,
    prior_weight: float = 5.0,
    floor: float = 0.2,
) -> dict[int, Threshold]:
    """A threshold for every issue from all decisions (see the module docstring)."""
    decisions = list(decisions)
    by_issue: dict[int, list[Decision]] = {}
    for decision in decisions:
        by_issue.setdefault(decision.issue_id, []).append(decision)
    candidates = sorted({d.score for d in decisions if d.score >= floor})
    pooled = _Counts(decisions)
    out = {}
    for issue_id in issue_ids:
        own = by_issue.get(issue_id, [])
        counts = _Counts(own)
        if not decisions:
            out[issue_id] = Threshold(issue_id, default, 0, None)
            continue
        chosen, precision = NEVER, None
        for t in candidates:
            all_ok, all_n = pooled.at(t)
            if all_n == 0:
                break
            ok, n = counts.at(t)
            estimate = (ok + prior_weight * all_ok / all_n) / (n + prior_weight)
            if estimate >= target:
                chosen, precision = t, estimate
                break
        out[issue_id] = Threshold(issue_id, chosen, len(own), precision)
    return out
