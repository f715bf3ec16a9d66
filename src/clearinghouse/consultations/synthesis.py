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

import json
import math
import time
from collections import Counter, defaultdict

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.db.models.expressions import RawSQL
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


# One text of packed votes built by the database: each vote is one integer,
# participant << shift | statement << 2 | (value + 1), so a million votes
# arrive as one string of a million numbers instead of a million tuples
# (or three million numbers).
_AGGREGATE = {
    "sqlite": "group_concat({packed})",
    "postgresql": "string_agg(CAST({packed} AS TEXT), ',')",
}
_PACKED = (
    "CAST(participant_id AS BIGINT) * CAST(%s AS BIGINT)"
    " + CAST(statement_id AS BIGINT) * 4 + value + 1"
)
# Packed votes must fit a signed 64-bit integer.
_PACK_BITS = 62


def _no_votes() -> np.ndarray:
    return np.zeros((0, 3), dtype=np.int64)


def _pack_shift() -> int | None:
    """Bits for statement and value in a packed vote; None if the ids are too large."""
    from django.contrib.auth import get_user_model

    top_statement = Contribution.objects.aggregate(top=Max("pk"))["top"] or 0
    top_person = get_user_model().objects.aggregate(top=Max("pk"))["top"] or 0
    shift = int(top_statement).bit_length() + 2
    if shift + int(top_person).bit_length() > _PACK_BITS:
        return None
    return shift


def _votes(consultation_id: int) -> np.ndarray:
    """All votes of a consultation as an (n, 3) array: participant, statement, value."""
    table = connection.ops.quote_name(Vote._meta.db_table)
    aggregate = _AGGREGATE.get(connection.vendor)
    shift = _pack_shift() if aggregate else None
    with connection.cursor() as cursor:
        if shift is not None:
            cursor.execute(
                f"SELECT {aggregate.format(packed=_PACKED)} FROM {table} "  # noqa: S608 - fixed SQL
                "WHERE consultation_id = %s",
                [1 << shift, consultation_id],
            )
            (text,) = cursor.fetchone()
            if not text:
                return _no_votes()
            packed = np.fromstring(text, dtype=np.int64, sep=",")
            return np.stack(
                [
                    packed >> shift,
                    (packed & ((1 << shift) - 1)) >> 2,
                    (packed & 3) - 1,
                ],
                axis=1,
            )
        cursor.execute(
            f"SELECT participant_id, statement_id, value FROM {table} "  # noqa: S608 - fixed SQL
            "WHERE consultation_id = %s",
            [consultation_id],
        )
        rows = cursor.fetchall()
    if not rows:
        return _no_votes()
    return np.array(rows, dtype=np.int64)


# A list of ids as one parameter: a table the database reads, instead of
# thousands of placeholders the ORM would prepare one by one.
_ID_TABLE = {
    "sqlite": ("SELECT value FROM json_each(%s)", json.dumps),
    "postgresql": ("SELECT unnest(CAST(%s AS BIGINT[]))", list),
}
_PROFILE_FIELDS = (
    "user_id",
    "stakeholder_group",
    "country__region_id",
    "country__development_status",
    "country__is_ldc",
)


def _profiles(user_ids) -> dict[int, tuple[str, str, str, bool]]:
    """Group, region code, development status and LDC flag of each participant."""
    ids = sorted(user_ids)
    table = _ID_TABLE.get(connection.vendor)
    if table:
        sql, param = table
        # The SQL is one of _ID_TABLE's constants; the ids are a parameter.
        chunks = [Q(user_id__in=RawSQL(sql, [param(ids)]))] if ids else []  # noqa: S611
    else:
        chunks = [
            Q(user_id__in=ids[start : start + 5000])
            for start in range(0, len(ids), 5000)
        ]
    found = {}
    for chunk in chunks:
        for row in Profile.objects.filter(chunk).values_list(*_PROFILE_FIELDS):
            found[row[0]] = (
                row[1] or UNSPECIFIED,
                row[2] or UNSPECIFIED,
                row[3] or UNSPECIFIED,
                bool(row[4]),
            )
    return found


# Below this spread of ids (or a few times the number of values), a table
# indexed by id replaces sorting.
_TABLE_SLACK = 1 << 16


def _small_range(values: np.ndarray, low: int, high: int) -> bool:
    return high - low <= 4 * len(values) + _TABLE_SLACK


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted."""
    if not len(values):
        return values[:0]
    low, high = int(values.min()), int(values.max())
    if _small_range(values, low, high):
        return np.flatnonzero(np.bincount(values - low)) + low
    return np.unique(values)


def _lookup(values: np.ndarray, universe: np.ndarray) -> np.ndarray:
    """The position of each value in `universe` (sorted, distinct); -1 if absent."""
    found = np.full(len(values), -1, dtype=np.int64)
    if not len(values) or not len(universe):
        return found
    low, high = int(universe[0]), int(universe[-1])
    inside = (values >= low) & (values <= high)
    if _small_range(values, low, high):
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[universe - low] = np.arange(len(universe))
        found[inside] = table[values[inside] - low]
    else:
        at = np.searchsorted(universe, values[inside])
        found[inside] = np.where(universe[at] == values[inside], at, -1)
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
    participants = set(_distinct(votes[:, 0]).tolist())
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
    statement_ids = np.array(sorted(texts), dtype=np.int64)
    # Only votes on statements still published count.
    statement_index = _lookup(votes[:, 1], statement_ids)
    known = statement_index >= 0
    votes, statement_index = votes[known], statement_index[known]
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
    people = _distinct(votes[:, 0])
    person_index = _lookup(votes[:, 0], people)
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
    # Built from the list of votes: column means over the votes cast, then
    # one dense centred matrix (n × statements, float32) for the PCA.
    counts = np.bincount(cols, minlength=n_statements)
    means = np.divide(
        np.bincount(cols, weights=vals, minlength=n_statements),
        counts,
        out=np.zeros(n_statements),
        where=counts > 0,
    )
    scale = np.sqrt(n_statements / np.bincount(rows, minlength=n))
    centred = np.zeros((n, n_statements), dtype=np.float32)
    centred[rows, cols] = (vals - means[cols]) * scale[rows]
    covariance = centred.T @ centred
    _eigenvalues, vectors = np.linalg.eigh(covariance)
    components = vectors[:, ::-1][:, :2]
    points = (centred @ components).astype(np.float64)
    del centred

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
    tallies = _tallies(labels[rows], cols, vals, k, n_statements)
    sizes = np.bincount(labels, minlength=k)
    groups = []
    for g in range(k):
        groups.append(
            {
                "size": int(sizes[g]),
                "statements": _representative(tallies, g, statement_ids),
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
    n = len(points)
    norms = (points**2).sum(axis=1)
    for _start in range(3):
        centres = [points[rng.integers(n)]]
        for _c in range(1, k):
            nearest = _beyond_norm(points, np.array(centres)).min(axis=1)
            d = np.maximum(nearest + norms, 0)
            total = d.sum()
            probabilities = d / total if total else None
            centres.append(points[rng.choice(n, p=probabilities)])
        centres = np.array(centres)
        labels = np.zeros(n, dtype=np.int64)
        for _i in range(iterations):
            new = _beyond_norm(points, centres).argmin(axis=1)
            if _i and np.array_equal(new, labels):
                break
            labels = new
            sizes = np.bincount(labels, minlength=k)
            filled = sizes > 0
            for axis in range(points.shape[1]):
                sums = np.bincount(labels, weights=points[:, axis], minlength=k)
                centres[filled, axis] = sums[filled] / sizes[filled]
        inertia = float(((points - centres[labels]) ** 2).sum())
        if inertia < best_inertia:
            best_labels, best_inertia = labels, inertia
    return best_labels


def _beyond_norm(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared distances (points × centres) less each point's |p|²: |c|² − 2 p·c.

    |p|² is the same for every centre, so the nearest centre is the argmin."""
    return (centres**2).sum(axis=1)[None] - 2 * points @ centres.T


def _silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient, from the points' pairwise distances."""
    rows = np.arange(len(labels))
    clusters, own = np.unique(labels, return_inverse=True)
    members = np.zeros((len(labels), len(clusters)))
    members[rows, own] = 1
    sizes = members.sum(axis=0)
    mean_to = distances @ members / sizes
    a = mean_to[rows, own] * sizes[own] / np.maximum(sizes[own] - 1, 1)
    mean_to[rows, own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(sizes[own] > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0)
    return float(s.mean())


def _tallies(labels, cols, vals, k: int, n_statements: int) -> dict:
    """Votes cast, agreed and disagreed per opinion group and statement (k × m)."""
    cell = labels * n_statements + cols
    size = k * n_statements

    def count(weights=None):
        return np.bincount(cell, weights=weights, minlength=size).reshape(
            k, n_statements
        )

    return {"cast": count(), 1: count(vals == 1), -1: count(vals == -1)}


def _representative(tallies: dict, g: int, statement_ids, limit: int = 5) -> list:
    """The statements that set group g apart, agree or disagree (Polis' repness)."""
    found = []
    cast = tallies["cast"]
    n_in = cast[g]
    n_out = cast.sum(axis=0) - n_in
    for direction, value in (("agree", 1), ("disagree", -1)):
        k_in = tallies[value][g]
        k_out = tallies[value].sum(axis=0) - k_in
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
    fields = {
        "version": version,
        "data": data,
        "computed_at": timezone.now(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    # Written without reading the stored figures back (they are large).
    stored = Synthesis.objects.filter(consultation=consultation)
    with transaction.atomic():
        pk = stored.select_for_update().values_list("pk", flat=True).first()
        if pk is None:
            synthesis = Synthesis(consultation=consultation, **fields)
            synthesis.full_clean(validate_unique=False)
            try:
                with transaction.atomic():
                    synthesis.save(force_insert=True)
                return synthesis
            except IntegrityError:
                # Stored meanwhile by another worker: replace it.
                pk = stored.values_list("pk", flat=True).get()
        stored.update(**fields)
    return Synthesis(pk=pk, consultation=consultation, **fields)


def by_key(pairs) -> dict:
    """[[key, count], …] as a dict."""
    return defaultdict(int, {key: count for key, count in pairs})
