"""Writes of cross-lingual discovery: vectors, suggestions, decisions, thresholds."""

import hashlib
import logging
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clearinghouse.library import indexing
from clearinghouse.library.models import Document, DocumentIssue
from clearinghouse.taxonomy.models import Issue

from . import encoder, selectors
from .calibration import calibrate
from .models import (
    DECIDED,
    DocumentVector,
    IssueSuggestion,
    IssueThreshold,
    IssueVector,
    SuggestionStatus,
)
from .vectors import to_blob

logger = logging.getLogger(__name__)

# How much of a document's full text joins its title and summary.
BODY_CHARS = 600
# Issues suggested for one document, and the score below which none is offered.
SUGGESTIONS = 5
OFFER_FLOOR = 0.25
# Only an issue among a document's best few is applied automatically.
APPLY_RANK = 3


def _hash(text: str, model: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


def document_text(document: Document) -> str:
    """What is embedded of a document: title, summary and the start of the text."""
    parts = [document.title, document.summary, (document.body or "")[:BODY_CHARS]]
    return "\n".join(part.strip() for part in parts if part and part.strip())


@dataclass
class EmbedReport:
    """What one embedding run did."""

    embedded: int = 0
    unchanged: int = 0


def _save_vectors(
    model_cls, key: str, items: list, texts: list[str], *, force: bool, encode
) -> EmbedReport:
    """Embed what changed among items (records with .pk) and store their vectors."""
    model = encoder.model_name()
    report = EmbedReport()
    hashes = [_hash(text, model) for text in texts]
    existing = {
        getattr(row, f"{key}_id"): row
        for row in model_cls.objects.filter(**{f"{key}_id__in": [i.pk for i in items]})
    }
    todo = [
        n
        for n, item in enumerate(items)
        if force or item.pk not in existing or existing[item.pk].text_hash != hashes[n]
    ]
    report.unchanged = len(items) - len(todo)
    if not todo:
        return report
    vectors = encode([texts[n] for n in todo])
    # Set by hand: bulk_update does not apply auto_now, and the search matrix
    # finds new vectors by this time.
    now = timezone.now()
    created, updated = [], []
    for n, vector in zip(todo, vectors, strict=True):
        row = existing.get(items[n].pk)
        if row is None:
            row = model_cls(**{f"{key}_id": items[n].pk})
            created.append(row)
        else:
            updated.append(row)
        row.model, row.text_hash, row.vector = model, hashes[n], to_blob(vector)
        row.embedded_at = now
    with transaction.atomic():
        model_cls.objects.bulk_create(created, batch_size=500)
        model_cls.objects.bulk_update(
            updated, ["model", "text_hash", "vector", "embedded_at"], batch_size=500
        )
    report.embedded = len(todo)
    return report


def documents_embed(
    *, document_ids, force: bool = False, suggest: bool = True, encode=None
) -> EmbedReport:
    """Embed these documents (whose text changed, or all if forced); suggest issues.

    `encode` is `encoder.encode` unless given (an `encoder.Pool`'s, to use
    several cores). Raises `encoder.EncoderUnavailable` when the model cannot
    be loaded.
    """
    documents = list(Document.objects.filter(pk__in=list(document_ids)).order_by("pk"))
    report = _save_vectors(
        DocumentVector,
        "document",
        documents,
        [document_text(d) for d in documents],
        force=force,
        encode=encode or encoder.encode,
    )
    if suggest and documents:
        suggestions_make(document_ids=[d.pk for d in documents])
    return report


def issue_text(issue: Issue) -> list[str]:
    """Every label, synonym and definition of an issue, in all six languages."""
    from clearinghouse.core.languages import LANGUAGE_CODES, field_suffix

    texts = []
    for code in LANGUAGE_CODES:
        for field in ("name", "definition"):
            value = getattr(issue, f"{field}_{field_suffix(code)}", "")
            if value and value not in texts:
                texts.append(value)
    texts += [s.label for s in issue.synonyms.all() if s.label not in texts]
    return texts or [issue.name]


def issues_embed(*, force: bool = False, encode=None) -> EmbedReport:
    """Embed every issue whose labels changed: the mean of its texts' vectors.

    The texts of every changed issue go to the encoder in one call (`encode`
    as in `documents_embed`).
    """
    model = encoder.model_name()
    report = EmbedReport()
    issues = list(Issue.objects.prefetch_related("synonyms").order_by("pk"))
    existing = dict(IssueVector.objects.values_list("issue_id", "text_hash"))
    todo = []
    for issue in issues:
        texts = issue_text(issue)
        digest = _hash("\n".join(texts), model)
        if not force and existing.get(issue.pk) == digest:
            report.unchanged += 1
        else:
            todo.append((issue, texts, digest))
    if not todo:
        return report
    vectors = (encode or encoder.encode)([t for _i, texts, _d in todo for t in texts])
    start = 0
    with transaction.atomic():
        for issue, texts, digest in todo:
            mean = vectors[start : start + len(texts)].mean(axis=0)
            start += len(texts)
            vector = mean / max(float(np.linalg.norm(mean)), 1e-12)
            IssueVector.objects.update_or_create(
                issue=issue,
                defaults={
                    "model": model,
                    "text_hash": digest,
                    "vector": to_blob(vector),
                },
            )
    report.embedded = len(todo)
    return report


@transaction.atomic
def suggestions_make(*, document_ids) -> int:
    """Suggest issues for embedded documents; apply those above their issue's threshold.

    A suggestion a curator decided is never changed; an issue a curator
    already confirmed on the document is not suggested again. Returns how
    many issues were applied automatically. The documents' tags and
    suggestions are read and written in a few queries for the whole batch.
    """
    prototypes = selectors.issue_prototypes()
    if prototypes is None:
        return 0
    thresholds = selectors.thresholds()
    vectors = selectors.document_vectors(document_ids)
    if not vectors:
        return 0
    tags = {
        (t.document_id, t.issue_id): t
        for t in DocumentIssue.objects.filter(document_id__in=list(vectors))
    }
    known = {
        (s.document_id, s.issue_id): s
        for s in IssueSuggestion.objects.select_for_update().filter(
            document_id__in=list(vectors)
        )
    }
    ids = list(vectors)
    scores = np.clip(
        np.vstack([vectors[pk] for pk in ids]) @ prototypes.matrix.T, -1, 1
    )
    created, updated, new_tags, keep = [], [], [], set()
    for row, document_id in enumerate(ids):
        best = np.argsort(-scores[row])[:SUGGESTIONS]
        for rank, position in enumerate(best):
            issue_id = int(prototypes.issue_ids[position])
            score = float(scores[row, position])
            if score < OFFER_FLOOR:
                break
            key = (document_id, issue_id)
            keep.add(key)
            suggestion = known.get(key)
            if suggestion is not None and suggestion.status in DECIDED:
                continue
            tag = tags.get(key)
            if tag is not None and tag.confirmed:
                continue
            threshold = thresholds.get(issue_id, settings.SEMANTIC_DEFAULT_THRESHOLD)
            status = (
                SuggestionStatus.APPLIED
                if score >= threshold and rank < APPLY_RANK
                else SuggestionStatus.OFFERED
            )
            if suggestion is None:
                suggestion = IssueSuggestion(document_id=document_id, issue_id=issue_id)
                created.append(suggestion)
            else:
                updated.append(suggestion)
            suggestion.score, suggestion.threshold, suggestion.status = (
                score,
                threshold,
                status,
            )
            # The document and the issue were just read from the database, and
            # the database holds the constraints (checking them here would
            # cost two queries a suggestion).
            suggestion.full_clean(
                exclude=["document", "issue"],
                validate_unique=False,
                validate_constraints=False,
            )
            if status == SuggestionStatus.APPLIED and tag is None:
                # The library's own tag row, unconfirmed: shown as "suggested".
                new_tags.append(
                    DocumentIssue(
                        document_id=document_id,
                        issue_id=issue_id,
                        confirmed=False,
                        score=score,
                    )
                )
    IssueSuggestion.objects.bulk_create(created, batch_size=500)
    IssueSuggestion.objects.bulk_update(
        updated, ["score", "threshold", "status"], batch_size=500
    )
    DocumentIssue.objects.bulk_create(new_tags, batch_size=500)
    # Undecided suggestions the new text no longer supports are withdrawn.
    IssueSuggestion.objects.filter(
        pk__in=[
            s.pk
            for key, s in known.items()
            if s.status == SuggestionStatus.OFFERED and key not in keep
        ]
    ).delete()
    if new_tags:
        touched = sorted({tag.document_id for tag in new_tags})
        transaction.on_commit(lambda: indexing.index_documents_safely(touched))
    return sum(s.status == SuggestionStatus.APPLIED for s in created + updated)


@transaction.atomic
def suggestion_decide(
    *, suggestion: IssueSuggestion, accepted: bool, by
) -> IssueSuggestion:
    """A curator confirms or rejects a suggestion; the tag follows, thresholds learn."""
    suggestion = IssueSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status in DECIDED:
        raise ValidationError(_("This suggestion has already been decided."))
    suggestion.status = (
        SuggestionStatus.CONFIRMED if accepted else SuggestionStatus.REJECTED
    )
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.full_clean(validate_unique=False)
    suggestion.save()
    tags = DocumentIssue.objects.filter(
        document_id=suggestion.document_id, issue_id=suggestion.issue_id
    )
    if accepted:
        tag, created = tags.get_or_create(
            document_id=suggestion.document_id,
            issue_id=suggestion.issue_id,
            defaults={"confirmed": True, "score": suggestion.score},
        )
        if not created and not tag.confirmed:
            tag.confirmed = True
            tag.save(update_fields=["confirmed"])
    else:
        tags.filter(confirmed=False).delete()
    document_id = suggestion.document_id
    transaction.on_commit(lambda: indexing.index_documents_safely([document_id]))
    transaction.on_commit(thresholds_calibrate)
    logger.info(
        "semantic.suggestion.decided",
        extra={"suggestion_id": suggestion.pk, "accepted": accepted},
    )
    return suggestion


@transaction.atomic
def thresholds_calibrate() -> int:
    """Recompute every issue's threshold from curators' decisions; returns changes."""
    issue_ids = list(Issue.objects.values_list("pk", flat=True))
    results = calibrate(
        selectors.decisions(),
        issue_ids,
        target=settings.SEMANTIC_TARGET_PRECISION,
        default=settings.SEMANTIC_DEFAULT_THRESHOLD,
    )
    current = {t.issue_id: t for t in IssueThreshold.objects.all()}
    changed = 0
    for issue_id, result in results.items():
        row = current.get(issue_id)
        values = (result.threshold, result.decisions, result.precision)
        if row is not None and (row.threshold, row.decisions, row.precision) == values:
            continue
        IssueThreshold.objects.update_or_create(
            issue_id=issue_id,
            defaults={
                "threshold": result.threshold,
                "decisions": result.decisions,
                "precision": result.precision,
            },
        )
        changed += 1
    return changed
