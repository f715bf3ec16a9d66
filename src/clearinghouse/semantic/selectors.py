"""Reads of cross-lingual discovery: vectors, issue prototypes, suggestions."""

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Q

from clearinghouse.library.models import Document, DocumentIssue, DocumentStatus

from . import encoder, store
from .calibration import Decision
from .models import (
    DocumentVector,
    IssueSuggestion,
    IssueThreshold,
    IssueVector,
    SuggestionStatus,
)
from .vectors import Match, from_blob

# The weight of the mean of an issue's confirmed documents beside its labels'
# vector (a Rocchio-style prototype: curators' confirmations teach the issue).
EXEMPLAR_WEIGHT = 1.0


@dataclass(frozen=True)
class Prototypes:
    """One unit vector per issue, in the order of `issue_ids`."""

    issue_ids: np.ndarray
    matrix: np.ndarray


_cache: dict = {}


def _prototype_version(model: str) -> tuple:
    issues = IssueVector.objects.filter(model=model).aggregate(
        n=Count("pk"), at=Max("embedded_at")
    )
    confirmed = DocumentIssue.objects.filter(confirmed=True).aggregate(
        n=Count("pk"), m=Max("pk")
    )
    return (model, issues["n"], issues["at"], confirmed["n"], confirmed["m"])


def issue_prototypes() -> Prototypes | None:
    """Each embedded issue's prototype: its labels' vector and confirmed documents'."""
    model = encoder.model_name()
    version = _prototype_version(model)
    if _cache.get("version") == version:
        return _cache["prototypes"]
    rows = list(
        IssueVector.objects.filter(model=model).values_list("issue_id", "vector")
    )
    if not rows:
        return None
    issue_ids = np.array([pk for pk, _blob in rows], dtype=np.int64)
    matrix = np.vstack([from_blob(blob) for _pk, blob in rows])
    position = {int(pk): n for n, pk in enumerate(issue_ids)}
    sums = np.zeros_like(matrix)
    counts = np.zeros(len(issue_ids))
    confirmed = DocumentVector.objects.filter(
        model=model,
        document__issue_tags__confirmed=True,
    ).values_list("document__issue_tags__issue_id", "vector")
    for issue_id, blob in confirmed.iterator(chunk_size=2000):
        n = position.get(issue_id)
        if n is not None:
            sums[n] += from_blob(blob)
            counts[n] += 1
    has = counts > 0
    matrix[has] += EXEMPLAR_WEIGHT * sums[has] / counts[has, None]
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    prototypes = Prototypes(issue_ids, matrix.astype(np.float32))
    _cache.update(version=version, prototypes=prototypes)
    return prototypes


# A query names an issue by meaning when its prototype is this close, and a
# second issue joins when nearly as close (chosen on the tuning queries).
CONCEPT_MIN = 0.40
CONCEPT_MARGIN = 0.05
CONCEPT_MAX = 2


def nearest_issues(vector: np.ndarray) -> list[tuple[int, float]]:
    """The issues a query vector is about, if clearly about any, best first."""
    prototypes = issue_prototypes()
    if prototypes is None:
        return []
    scores = prototypes.matrix @ vector
    order = np.argsort(-scores)[:CONCEPT_MAX]
    best = float(scores[order[0]])
    if best < CONCEPT_MIN:
        return []
    return [
        (int(prototypes.issue_ids[n]), float(scores[n]))
        for n in order
        if scores[n] >= best - CONCEPT_MARGIN
    ]


def thresholds() -> dict[int, float]:
    """Each calibrated issue's threshold."""
    return dict(IssueThreshold.objects.values_list("issue_id", "threshold"))


def document_vectors(document_ids) -> dict[int, np.ndarray]:
    """Stored vectors of these documents (current encoder only)."""
    rows = DocumentVector.objects.filter(
        document_id__in=list(document_ids), model=encoder.model_name()
    ).values_list("document_id", "vector")
    return {pk: from_blob(blob) for pk, blob in rows}


def decisions() -> list[Decision]:
    """Curators' verdicts on suggestions, explicit or through the library's tags.

    A suggestion confirmed or rejected here counts as such; an undecided one
    whose tag a curator confirmed in the library counts as accepted, and an
    applied one whose tag a curator removed counts as rejected.
    """
    out = []
    confirmed = set(
        DocumentIssue.objects.filter(confirmed=True).values_list(
            "document_id", "issue_id"
        )
    )
    present = set(DocumentIssue.objects.values_list("document_id", "issue_id"))
    for document_id, issue_id, score, status in IssueSuggestion.objects.values_list(
        "document_id", "issue_id", "score", "status"
    ).iterator(chunk_size=5000):
        key = (document_id, issue_id)
        if status == SuggestionStatus.CONFIRMED or key in confirmed:
            out.append(Decision(issue_id, score, True))
        elif status == SuggestionStatus.REJECTED or (
            status == SuggestionStatus.APPLIED and key not in present
        ):
            out.append(Decision(issue_id, score, False))
    return out


def suggestions_offered():
    """Suggestions waiting for a curator, best first, with what the page shows."""
    return (
        IssueSuggestion.objects.filter(
            Q(status=SuggestionStatus.OFFERED) | Q(status=SuggestionStatus.APPLIED),
            document__status=DocumentStatus.PUBLISHED,
        )
        .select_related("document", "issue")
        .order_by("status", "-score", "pk")
    )


def search_vectors(query_vector: np.ndarray, k: int, *, exclude=()) -> list[Match]:
    """The published documents nearest to a vector, best first."""
    index = store.document_index(encoder.model_name())
    wanted = k
    for _ in range(4):
        matches = index.search(query_vector, wanted, exclude=exclude)
        published = set(
            Document.objects.published()
            .filter(pk__in=[m.id for m in matches])
            .values_list("pk", flat=True)
        )
        kept = [m for m in matches if m.id in published]
        if len(kept) >= k or len(matches) < wanted:
            return kept[:k]
        wanted *= 4
    return kept[:k]


def more_like_this(document: Document, k: int = 5) -> list[tuple[Document, float]]:
    """Published documents closest in meaning to this one, in any language.

    Raises `encoder.EncoderUnavailable` if the model cannot be loaded; an
    unembedded document has no neighbours yet.
    """
    vector = document_vectors([document.pk]).get(document.pk)
    if vector is None:
        return []
    matches = search_vectors(vector, k, exclude=[document.pk])
    documents = Document.objects.in_bulk([m.id for m in matches])
    return [(documents[m.id], m.score) for m in matches if m.id in documents]
