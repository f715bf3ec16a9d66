"""The synthesis of a consultation: who took part, what they answered, where
they agree, and the opinion groups in their votes.

It is computed in the background (tasks.synthesis_compute) and stored with
the consultation's data version, so pages serve the stored figures. The
figures are language-neutral (codes and ids); pages label them.

Opinion groups follow Polis:
1. the participant × statement matrix of votes (agree +1, disagree −1,
   pass 0), kept for participants with at least MIN_VOTES votes;
2. each column centred on its mean over the votes cast, a missing vote
   taking the mean (so it counts as 0 after centring), and each row scaled
   by sqrt(statements / votes cast) so that people who voted little are not
   pulled to the centre;
3. PCA to two components (eigenvectors of the statements' covariance);
4. k-means (k-means++ seeding) for k = 2 … MAX_GROUPS, keeping the k with
   the best silhouette (computed on a sample of SILHOUETTE_SAMPLE points);
5. each group described by its representative statements: those on which
   its agreement (or disagreement) differs most from everyone else's, with
   Polis' ratio (in-group share + 1 smoothing) / (out-group share) and a
   two-proportion z-test ≥ 1.645.
"""

import math
import time
from collections import Counter, defaultdict

import numpy as np
from django.db import connection
from django.utils import timezone

from clearinghouse.core.models import Profile

from .models import (
    Choice,
    Consultation,
    Contribution,
    ContributionKind,
    Question,
    QuestionKind,
    Status,
    Synthesis,
    Vote,
)

MIN_VOTES = 7
MAX_GROUPS = 5
SILHOUETTE_SAMPLE = 1500
# A stakeholder group's agreement counts once it has this many votes on a statement.
MIN_GROUP_VOTES = 5
COMMON_AGREEMENT = 0.6
DIVISIVE_SPREAD = 0.3
UNSPECIFIED = "unspecified"


# One text of "participant,statement,value,…" built by the database: a
# million votes arrive as one string instead of a million Python tuples.
_AGGREGATE = {
    "sqlite": "group_concat(participant_id || ',' || statement_id || ',' || value)",
    "postgresql": (
        "string_agg(participant_id || ',' || statement_id || ',' || value, ',')"
    ),
}


def _votes(consultation_id: int) -> np.ndarray:
    """All votes of a consultation as an (n, 3) array: participant, statement, value."""
    table = connection.ops.quote_name(Vote._meta.db_table)
    aggregate = _AGGREGATE.get(connection.vendor)
    with connection.cursor() as cursor:
        if aggregate:
            cursor.execute(
                f"SELECT {aggregate} FROM {table} WHERE consultation_id = %s",  # noqa: S608 - fixed SQL
                [consultation_id],
            )
            (text,) = cursor.fetchone()
            if not text:
                return np.zeros((0, 3), dtype=np.int64)
            return np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, 3)
        cursor.execute(
            f"SELECT participant_id, statement_id, value FROM {table} "  # noqa: S608 - fixed SQL
            "WHERE consultation_id = %s",
            [consultation_id],
        )
        rows = cursor.fetchall()
    if not rows:
        return np.zeros((0, 3), dtype=np.int64)
    return np.array(rows, dtype=np.int64)


def _profiles(user_ids) -> dict[int, tuple[str, str, str, bool]]:
    """Group, region code, development status and LDC flag of each participant."""
    found = {}
    ids = list(user_ids)
    for start in range(0, len(ids), 5000):
        for row in Profile.objects.filter(
            user_id__in=ids[start : start + 5000]
        ).values_list(
            "user_id",
            "stakeholder_group",
            "country__region_id",
            "country__development_status",
            "country__is_ldc",
        ):
            found[row[0]] = (
                row[1] or UNSPECIFIED,
                row[2] or UNSPECIFIED,
                row[3] or UNSPECIFIED,
                bool(row[4]),
            )
    return found


def _count(values) -> list[list]:
    return [[key, count] for key, count in Counter(values).most_common()]


def synthesis_build(consultation: Consultation) -> dict:
    """Compute every figure of the synthesis (no writes)."""
    votes = _votes(consultation.pk)
    contributions = list(
        Contribution.objects.filter(
            question__consultation=consultation, status=Status.PUBLISHED
        ).values_list("pk", "question_id", "kind", "author_id", "language", "body")
    )
    choices = list(
        Choice.objects.filter(question__consultation=consultation).values_list(
            "question_id", "option_id", "participant_id"
        )
    )
    participants = set(np.unique(votes[:, 0]).tolist()) if len(votes) else set()
    participants |= {row[3] for row in contributions}
    participants |= {row[2] for row in choices}
    profiles = _profiles(participants)
    blank = (UNSPECIFIED, UNSPECIFIED, UNSPECIFIED, False)
    people = [profiles.get(pk, blank) for pk in participants]

    participation = {
        "stakeholder_group": _count(p[0] for p in people),
        "region": _count(p[1] for p in people),
        "development_status": _count(p[2] for p in people),
        "ldc": sum(1 for p in people if p[3]),
        "language": _count(row[4] or UNSPECIFIED for row in contributions),
    }

    questions = []
    for question in Question.objects.filter(consultation=consultation).order_by(
        "order", "pk"
    ):
        entry = {"id": question.pk, "kind": question.kind}
        mine = [row for row in contributions if row[1] == question.pk]
        if question.kind == QuestionKind.OPEN:
            answers = [row for row in mine if row[2] == ContributionKind.ANSWER]
            entry["answers"] = len(answers)
            entry["languages"] = _count(row[4] or UNSPECIFIED for row in answers)
        elif question.kind == QuestionKind.CHOICE:
            counts = Counter(row[1] for row in choices if row[0] == question.pk)
            entry["answers"] = sum(counts.values())
            entry["options"] = [
                [option.pk, counts.get(option.pk, 0)]
                for option in question.options.all()
            ]
        else:
            entry["answers"] = sum(
                1 for row in mine if row[2] == ContributionKind.STATEMENT
            )
        questions.append(entry)

    statements = {
        row[0]: row[5] for row in contributions if row[2] == ContributionKind.STATEMENT
    }
    figures = _statements(votes, statements, profiles)
    return {
        "version": consultation.data_version,
        "participants": len(participants),
        "contributions": len(contributions),
        "votes": len(votes),
        "participation": participation,
        "questions": questions,
        **figures,
    }


def _statements(votes: np.ndarray, texts: dict[int, str], profiles) -> dict:
    """Per-statement agreement by stakeholder group, commonality, division, groups."""
    # Only votes on statements still published count.
    if len(votes):
        known = np.isin(votes[:, 1], np.fromiter(texts, dtype=np.int64))
        votes = votes[known]
    statement_ids = np.array(sorted(texts), dtype=np.int64)
    if not len(votes) or not len(statement_ids):
        return {
            "statements": [
                {"id": int(s), "text": texts[s], "agree": 0, "disagree": 0, "pass": 0}
                | {"groups": {}}
                for s in statement_ids
            ],
            "commonality": [],
            "divisive": [],
            "opinion_groups": None,
        }
    people, person_index = np.unique(votes[:, 0], return_inverse=True)
    statement_index = np.searchsorted(statement_ids, votes[:, 1])
    values = votes[:, 2]
    n_statements = len(statement_ids)

    group_names = sorted({profiles.get(int(p), (UNSPECIFIED,))[0] for p in people})
    group_of_person = np.array(
        [group_names.index(profiles.get(int(p), (UNSPECIFIED,))[0]) for p in people]
    )
    vote_group = group_of_person[person_index]
    n_groups = len(group_names)
    cell = statement_index * n_groups + vote_group
    size = n_statements * n_groups
    total_g = np.bincount(cell, minlength=size).reshape(n_statements, n_groups)
    agree_g = np.bincount(cell, weights=values == 1, minlength=size).reshape(
        n_statements, n_groups
    )
    agree = np.bincount(statement_index, weights=values == 1, minlength=n_statements)
    disagree = np.bincount(
        statement_index, weights=values == -1, minlength=n_statements
    )
    passed = np.bincount(statement_index, weights=values == 0, minlength=n_statements)

    rows, common, divisive = [], [], []
    for i, sid in enumerate(statement_ids.tolist()):
        groups = {
            group_names[g]: [int(agree_g[i, g]), int(total_g[i, g])]
            for g in range(n_groups)
            if total_g[i, g]
        }
        rows.append(
            {
                "id": sid,
                "text": texts[sid],
                "agree": int(agree[i]),
                "disagree": int(disagree[i]),
                "pass": int(passed[i]),
                "groups": groups,
            }
        )
        shares = [
            a / t
            for name, (a, t) in groups.items()
            if t >= MIN_GROUP_VOTES and name != UNSPECIFIED
        ]
        if len(shares) >= 2:
            if min(shares) >= COMMON_AGREEMENT:
                common.append((min(shares), sid))
            spread = max(shares) - min(shares)
            if spread >= DIVISIVE_SPREAD:
                divisive.append((spread, sid))
    return {
        "statements": rows,
        "commonality": [sid for _s, sid in sorted(common, reverse=True)],
        "divisive": [sid for _s, sid in sorted(divisive, reverse=True)],
        "opinion_groups": opinion_groups(
            person_index, statement_index, values, len(people), statement_ids
        ),
    }


def opinion_groups(
    person_index: np.ndarray,
    statement_index: np.ndarray,
    values: np.ndarray,
    n_people: int,
    statement_ids: np.ndarray,
    *,
    seed: int = 2004,
) -> dict | None:
    """Polis-style opinion groups (see the module's docstring), or None if too few."""
    n_statements = len(statement_ids)
    cast = np.bincount(person_index, minlength=n_people)
    needed = min(MIN_VOTES, n_statements)
    keep = cast >= needed
    if keep.sum() < 2 * 2 or n_statements < 2:
        return None
    row_of = np.full(n_people, -1)
    row_of[keep] = np.arange(keep.sum())
    mask = row_of[person_index] >= 0
    rows, cols, vals = row_of[person_index][mask], statement_index[mask], values[mask]
    n = int(keep.sum())
    matrix = np.zeros((n, n_statements), dtype=np.float32)
    matrix[rows, cols] = vals
    voted = np.zeros((n, n_statements), dtype=bool)
    voted[rows, cols] = True
    counts = voted.sum(axis=0)
    means = np.divide(
        matrix.sum(axis=0),
        counts,
        out=np.zeros(n_statements, np.float32),
        where=counts > 0,
    )
    centred = np.where(voted, matrix - means, 0).astype(np.float32)
    centred *= np.sqrt(n_statements / voted.sum(axis=1))[:, None].astype(np.float32)
    covariance = centred.T @ centred
    _eigenvalues, vectors = np.linalg.eigh(covariance)
    components = vectors[:, ::-1][:, :2]
    points = centred @ components

    rng = np.random.default_rng(seed)
    sample = (
        rng.choice(n, SILHOUETTE_SAMPLE, replace=False)
        if n > SILHOUETTE_SAMPLE
        else np.arange(n)
    )
    sampled = points[sample]
    squared = (sampled**2).sum(axis=1)
    distances = np.sqrt(
        np.maximum(squared[:, None] + squared[None] - 2 * sampled @ sampled.T, 0)
    )
    best = None
    for k in range(2, min(MAX_GROUPS, n - 1) + 1):
        labels = _kmeans(points, k, rng)
        if len(np.unique(labels)) < k:
            continue
        score = _silhouette(distances, labels[sample])
        if best is None or score > best[0]:
            best = (score, k, labels)
    if best is None:
        return None
    score, k, labels = best
    groups = []
    for g in range(k):
        inside = labels == g
        groups.append(
            {
                "size": int(inside.sum()),
                "statements": _representative(matrix, voted, inside, statement_ids),
            }
        )
    order = sorted(range(k), key=lambda g: -groups[g]["size"])
    return {
        "k": k,
        "silhouette": round(float(score), 3),
        "clustered": n,
        "groups": [groups[g] for g in order],
    }


def _kmeans(points: np.ndarray, k: int, rng, iterations: int = 60) -> np.ndarray:
    """Lloyd's k-means with k-means++ seeding, best of three starts."""
    best_labels, best_inertia = None, math.inf
    for _start in range(3):
        centres = [points[rng.integers(len(points))]]
        for _c in range(1, k):
            d = np.min(
                ((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1
            )
            total = d.sum()
            probabilities = d / total if total else None
            centres.append(points[rng.choice(len(points), p=probabilities)])
        centres = np.array(centres)
        labels = np.zeros(len(points), dtype=np.int64)
        for _i in range(iterations):
            distances = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
            new = distances.argmin(axis=1)
            if _i and np.array_equal(new, labels):
                break
            labels = new
            for c in range(k):
                members = points[labels == c]
                if len(members):
                    centres[c] = members.mean(axis=0)
        inertia = float(((points - centres[labels]) ** 2).sum())
        if inertia < best_inertia:
            best_labels, best_inertia = labels, inertia
    return best_labels


def _silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient, from the points' pairwise distances."""
    rows = np.arange(len(labels))
    clusters = np.unique(labels)
    mean_to = np.stack(
        [distances[:, labels == c].mean(axis=1) for c in clusters], axis=1
    )
    own = np.searchsorted(clusters, labels)
    sizes = np.array([(labels == c).sum() for c in clusters])
    a = mean_to[rows, own] * sizes[own] / np.maximum(sizes[own] - 1, 1)
    mean_to[rows, own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(sizes[own] > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0)
    return float(s.mean())


def _representative(matrix, voted, inside, statement_ids, limit: int = 5) -> list:
    """The statements that set a group apart, agree or disagree (Polis' repness)."""
    found = []
    for direction, value in (("agree", 1), ("disagree", -1)):
        hits = (matrix == value) & voted
        n_in = voted[inside].sum(axis=0)
        n_out = voted[~inside].sum(axis=0)
        k_in = hits[inside].sum(axis=0)
        k_out = hits[~inside].sum(axis=0)
        p_in = (k_in + 1) / (n_in + 2)
        p_out = (k_out + 1) / (n_out + 2)
        ratio = p_in / p_out
        pooled = (k_in + k_out + 1) / (n_in + n_out + 2)
        z = (p_in - p_out) / np.sqrt(
            pooled * (1 - pooled) * (1 / np.maximum(n_in, 1) + 1 / np.maximum(n_out, 1))
        )
        for j in np.flatnonzero((z >= 1.645) & (p_in > 0.5)):
            found.append(
                (
                    float(ratio[j] * p_in[j]),
                    {
                        "id": int(statement_ids[j]),
                        "direction": direction,
                        "in": round(float(k_in[j] / max(n_in[j], 1)), 3),
                        "out": round(float(k_out[j] / max(n_out[j], 1)), 3),
                    },
                )
            )
    found.sort(key=lambda item: -item[0])
    return [item for _score, item in found[:limit]]


def synthesis_store(*, consultation: Consultation) -> Synthesis:
    """Compute and store the synthesis for the consultation's current data."""
    started = time.perf_counter()
    version = Consultation.objects.values_list("data_version", flat=True).get(
        pk=consultation.pk
    )
    consultation.data_version = version
    data = synthesis_build(consultation)
    synthesis, _created = Synthesis.objects.update_or_create(
        consultation=consultation,
        defaults={
            "version": version,
            "data": data,
            "computed_at": timezone.now(),
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return synthesis


def by_key(pairs) -> dict:
    """[[key, count], …] as a dict."""
    return defaultdict(int, {key: count for key, count in pairs})
