"""Writes to the library: documents from harvests, forms and uploads; their tags."""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.langdetect import detect_language
from clearinghouse.core.languages import LANGUAGE_CODES
from clearinghouse.taxonomy.models import Issue

from . import indexing
from .extraction import extract
from .models import (
    AUTHOR_MAX,
    AUTHORS_MAX,
    LOCAL_SOURCES,
    SUMMARY_MAX,
    TITLE_MAX,
    Document,
    DocumentFile,
    DocumentIssue,
    DocumentProvenance,
    DocumentStatus,
    DocumentType,
    SavedSearch,
)
from .tagging import suggest_issues
from .text import canonical_url, normalize_doi, parse_date, plain_text, title_key

logger = logging.getLogger(__name__)

# The scalar fields a harvest may set, in the order they are compared.
_HARVESTED = (
    "title",
    "summary",
    "body",
    "authors",
    "date",
    "date_precision",
    "doc_type",
    "language",
    "url",
    "identifier",
    "doi",
    "licence",
)


@dataclass
class HarvestOutcome:
    """What one harvested record did to the library."""

    document: Document
    created: bool
    changed: bool


def _aware(value) -> datetime | None:
    """A harvested datestamp as an aware datetime (a date means its midnight UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


_URL = URLValidator(schemes=["http", "https"])


def _valid_url(value: str | None) -> bool:
    """Whether a harvested address is one we store (else it is left out)."""
    if not value or len(value) > 1000 or not canonical_url(value):
        return False
    try:
        _URL(value)
    except ValidationError:
        return False
    return True


def _clean_fields(fields: dict) -> dict:
    """Harvested values made safe: plain text, capped, closed lists checked."""
    body_max = settings.LIBRARY_MAX_BODY_CHARS
    title = plain_text(fields.get("title"), limit=TITLE_MAX, single_line=True)
    if not title:
        raise ValidationError({"title": _("A document needs a title.")})
    raw_authors = fields.get("authors") or []
    if isinstance(raw_authors, str):
        raw_authors = [raw_authors]
    authors = []
    for author in raw_authors:
        name = plain_text(author, limit=AUTHOR_MAX, single_line=True)
        if name and name not in authors:
            authors.append(name)
    when, precision = parse_date(fields.get("date"))
    doc_type = fields.get("doc_type") or ""
    language = fields.get("language") or ""
    url = plain_text(fields.get("url"), limit=1000, single_line=True)
    identifier = plain_text(fields.get("identifier"), limit=300, single_line=True)
    return {
        "title": title,
        "summary": plain_text(fields.get("summary"), limit=SUMMARY_MAX),
        "body": plain_text(fields.get("body"), limit=body_max),
        "authors": authors[:AUTHORS_MAX],
        "date": when,
        "date_precision": precision,
        "doc_type": doc_type if doc_type in DocumentType.values else "",
        "language": language if language in LANGUAGE_CODES else "",
        "url": url if _valid_url(url) else "",
        "identifier": identifier,
        "doi": normalize_doi(fields.get("doi")) or normalize_doi(identifier),
        "licence": plain_text(fields.get("licence"), limit=300, single_line=True),
    }


def _find(*, source_key: str, original_identifier: str, values: dict):
    """The document a harvested record is, and its provenance if already known.

    In order: the same record of the same source, the DOI, the canonical web
    address, then the same title (letters and digits) on the same date.
    """
    provenance = (
        DocumentProvenance.objects.select_related("document")
        .filter(source_key=source_key, original_identifier=original_identifier)
        .first()
    )
    if provenance is not None:
        return provenance.document, provenance
    if values["doi"]:
        document = Document.objects.filter(doi=values["doi"]).order_by("pk").first()
        if document is not None:
            return document, None
    if url := canonical_url(values["url"]):
        document = Document.objects.filter(canonical_url=url).order_by("pk").first()
        if document is not None:
            return document, None
    if values["date"] is not None:
        document = (
            Document.objects.filter(
                title_key=title_key(values["title"]), date=values["date"]
            )
            .order_by("pk")
            .first()
        )
        if document is not None:
            return document, None
    return None, None


def derive_keys(document: Document) -> None:
    """Set the keys that find a document again: title key, canonical address, DOI."""
    document.title_key = title_key(document.title)
    document.canonical_url = canonical_url(document.url)
    document.doi = normalize_doi(document.doi) or normalize_doi(document.identifier)


def _schedule_index(document_id: int) -> None:
    transaction.on_commit(lambda: indexing.index_documents_safely([document_id]))


def _leads(document: Document, source_key: str) -> bool:
    """Whether this source's values win over what the document holds.

    A document added here keeps what its curators wrote; otherwise the source
    it first came from leads, and later sources only fill what is blank.
    """
    provenances = list(document.provenances.all())
    if any(p.is_local for p in provenances):
        return False
    live = [p for p in provenances if not p.deleted_upstream] or provenances
    if not live:
        return True
    first = min(live, key=lambda p: (p.fetched_at, p.pk))
    return first.source_key == source_key


@transaction.atomic
def document_upsert_harvested(
    *,
    source_key: str,
    source_label: str,
    source_url: str,
    original_identifier: str,
    datestamp,
    fields: dict,
) -> HarvestOutcome:
    """Create or merge a document from a partner's record, writing only what changed.

    Harvesting the same record twice writes nothing the second time (not even
    `updated_at`); the page credits every source a document came from.
    """
    values = _clean_fields(fields)
    issue_ids = set(fields.get("issue_ids") or ())
    institution_ids = set(fields.get("institution_ids") or ())
    now = timezone.now()
    stamp = _aware(datestamp)
    document, provenance = _find(
        source_key=source_key,
        original_identifier=original_identifier,
        values=values,
    )
    created = document is None
    changed = False
    if created:
        text = "\n".join(
            v for v in (values["title"], values["summary"], values["body"])
        )
        document = Document(
            **{k: v for k, v in values.items() if v not in ("", None)},
            status=DocumentStatus.PUBLISHED,
        )
        if not values["doc_type"]:
            document.doc_type = DocumentType.REPORT
        if not values["language"]:
            document.language = detect_language(text)
        derive_keys(document)
        document.full_clean()
        document.save()
        suggestions = {s.issue_id: s.score for s in suggest_issues(text)}
        changed = True
    else:
        if provenance is None:
            # A second source of a known document only fills what is blank.
            leads = not document.provenances.exists()
        else:
            leads = _leads(document, source_key)
        for field in _HARVESTED:
            new = values[field]
            if new in ("", None, []):
                continue
            old = getattr(document, field)
            if field == "date_precision" and values["date"] is None:
                continue
            if old != new and (leads or old in ("", None, [])):
                setattr(document, field, new)
                changed = True
        if (
            document.status == DocumentStatus.WITHDRAWN
            and document.provenances.exists()
            and not document.provenances.filter(deleted_upstream=False).exists()
        ):
            # Withdrawn because every source had deleted it: one is back.
            document.status = DocumentStatus.PUBLISHED
            document.withdrawn_at = None
            changed = True
        suggestions = {}
    existing_issues = set(document.issue_tags.values_list("issue_id", flat=True))
    new_tags = [
        DocumentIssue(document=document, issue_id=pk, confirmed=False, score=1.0)
        for pk in sorted(
            set(Issue.objects.filter(pk__in=issue_ids).values_list("pk", flat=True))
            - existing_issues
        )
    ] + [
        DocumentIssue(document=document, issue_id=pk, confirmed=False, score=score)
        for pk, score in suggestions.items()
        if pk not in existing_issues and pk not in issue_ids
    ]
    if new_tags:
        DocumentIssue.objects.bulk_create(new_tags)
        changed = True
    if institution_ids:
        known = set(document.institutions.values_list("pk", flat=True))
        missing = set(
            Institution.objects.filter(pk__in=institution_ids - known).values_list(
                "pk", flat=True
            )
        )
        if missing:
            document.institutions.add(*missing)
            changed = True
    provenance_changed = False
    if provenance is None:
        provenance = DocumentProvenance(
            document=document,
            source_key=source_key,
            original_identifier=original_identifier,
            fetched_at=now,
        )
        provenance_changed = True
    for field, value in (
        ("source_label", plain_text(source_label, limit=300, single_line=True)),
        ("source_url", source_url if _valid_url(source_url) else ""),
        ("datestamp", stamp),
        ("deleted_upstream", False),
    ):
        if getattr(provenance, field) != value:
            setattr(provenance, field, value)
            provenance_changed = True
    if provenance_changed:
        if provenance.pk is not None:
            provenance.fetched_at = now
        provenance.full_clean()
        provenance.save()
        changed = True
    if changed and not created:
        derive_keys(document)
        document.full_clean()
        document.save()
    if changed:
        _schedule_index(document.pk)
    return HarvestOutcome(document=document, created=created, changed=changed)


def _has_live_origin(document: Document) -> bool:
    return (
        document.provenances.filter(deleted_upstream=False).exists()
        or document.provenances.filter(source_key__in=LOCAL_SOURCES).exists()
    )


@transaction.atomic
def document_withdraw_provenance(*, source_key: str, original_identifier: str) -> bool:
    """Record that a source deleted its record; withdraw the document if none is left.

    A document added here, or still offered by another source, stays
    published. Returns whether anything changed.
    """
    provenance = (
        DocumentProvenance.objects.select_for_update()
        .select_related("document")
        .filter(source_key=source_key, original_identifier=original_identifier)
        .first()
    )
    if provenance is None or provenance.deleted_upstream:
        return False
    provenance.deleted_upstream = True
    provenance.fetched_at = timezone.now()
    provenance.save(update_fields=["deleted_upstream", "fetched_at"])
    document = provenance.document
    if document.status != DocumentStatus.WITHDRAWN and not _has_live_origin(document):
        document.status = DocumentStatus.WITHDRAWN
        document.withdrawn_at = timezone.now()
        document.save()
    _schedule_index(document.pk)
    return True


def _local_values(values: dict) -> dict:
    """Form values as stored: text made plain and capped like harvested text."""
    cleaned = dict(values)
    for field, limit in (("title", TITLE_MAX), ("identifier", 300), ("licence", 300)):
        if field in cleaned:
            cleaned[field] = plain_text(cleaned[field], limit=limit, single_line=True)
    if "summary" in cleaned:
        cleaned["summary"] = plain_text(cleaned["summary"], limit=SUMMARY_MAX)
    if "body" in cleaned:
        cleaned["body"] = plain_text(
            cleaned["body"], limit=settings.LIBRARY_MAX_BODY_CHARS
        )
    if "authors" in cleaned:
        cleaned["authors"] = [
            name
            for name in (
                plain_text(a, limit=AUTHOR_MAX, single_line=True)
                for a in cleaned["authors"]
            )
            if name
        ][:AUTHORS_MAX]
    return cleaned


def _set_issues(document: Document, issue_ids, *, confirmed: bool) -> None:
    """Tag a document with these issues (others a curator confirmed stay)."""
    wanted = set(Issue.objects.filter(pk__in=issue_ids).values_list("pk", flat=True))
    tags = {tag.issue_id: tag for tag in document.issue_tags.all()}
    for pk in wanted:
        tag = tags.get(pk)
        if tag is None:
            DocumentIssue.objects.create(
                document=document, issue_id=pk, confirmed=confirmed, score=1.0
            )
        elif confirmed and not tag.confirmed:
            tag.confirmed = True
            tag.save(update_fields=["confirmed"])
    if confirmed:
        # What a curator leaves unticked is not about this document.
        document.issue_tags.exclude(issue_id__in=wanted).delete()


@transaction.atomic
def document_create(
    *,
    by,
    values: dict,
    source: str = "form",
    issue_ids=(),
    institution_ids=(),
    event_ids=(),
    file=None,
) -> Document:
    """Add a document here: published by the secretariat, else submitted for review.

    `source` is "form" or "upload"; an upload's waiting file is attached.
    Issues the secretariat ticks are confirmed; a submitter's are suggestions.
    """
    from clearinghouse.core.accounts import is_secretariat

    if source not in LOCAL_SOURCES:
        raise ValueError(source)
    curator = by is not None and is_secretariat(by)
    document = Document(
        **_local_values(values),
        status=DocumentStatus.PUBLISHED if curator else DocumentStatus.SUBMITTED,
        submitted_by=by,
    )
    derive_keys(document)
    document.full_clean()
    document.save()
    if institution_ids:
        document.institutions.set(institution_ids)
    if event_ids:
        document.presented_at.set(event_ids)
    _set_issues(document, issue_ids, confirmed=curator)
    if file is not None:
        file.document = document
        file.save(update_fields=["document"])
    DocumentProvenance.objects.create(
        document=document,
        source_key=source,
        source_label="",
        original_identifier=str(document.pk),
        fetched_at=document.created_at,
    )
    _schedule_index(document.pk)
    logger.info(
        "library.document.created",
        extra={"document_id": document.pk, "status": document.status},
    )
    return document


@transaction.atomic
def document_update(
    *,
    document: Document,
    values: dict,
    issue_ids=None,
    institution_ids=None,
    event_ids=None,
) -> Document:
    """A curator's correction of a document; its issue ticks become confirmed."""
    for field, value in _local_values(values).items():
        setattr(document, field, value)
    derive_keys(document)
    document.full_clean()
    document.save()
    if institution_ids is not None:
        document.institutions.set(institution_ids)
    if event_ids is not None:
        document.presented_at.set(event_ids)
    if issue_ids is not None:
        _set_issues(document, issue_ids, confirmed=True)
    _schedule_index(document.pk)
    return document


@transaction.atomic
def document_review(
    *, document: Document, publish: bool, note: str = "", issue_ids=None
) -> Document:
    """The secretariat's decision on a submission: published, or sent back as draft.

    On publishing, the issues the curator ticks are confirmed (all the
    submitter's when `issue_ids` is None) and the others dropped.
    """
    if document.status != DocumentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted document can be reviewed."))
    document.status = DocumentStatus.PUBLISHED if publish else DocumentStatus.DRAFT
    document.review_note = plain_text(note, limit=2000)
    document.full_clean()
    document.save()
    if publish:
        if issue_ids is None:
            document.issue_tags.update(confirmed=True)
        else:
            _set_issues(document, issue_ids, confirmed=True)
    _schedule_index(document.pk)
    return document


@transaction.atomic
def document_withdraw(*, document: Document) -> Document:
    """Withdraw a document: it leaves the search and stays as a tombstone."""
    if document.status != DocumentStatus.WITHDRAWN:
        document.status = DocumentStatus.WITHDRAWN
        document.withdrawn_at = timezone.now()
        document.full_clean()
        document.save()
        _schedule_index(document.pk)
    return document


def document_file_upload(*, name: str, data: bytes, by) -> DocumentFile:
    """Check a file, read its text, then store it waiting for its document.

    Reading happens before any write, outside the transaction (it may take
    seconds); a refused file (UploadRefused) leaves nothing stored.
    """
    extracted = extract(name=name, data=data)
    return _document_file_save(name=name, data=data, extracted=extracted, by=by)


@transaction.atomic
def _document_file_save(*, name: str, data: bytes, extracted, by) -> DocumentFile:
    stored = DocumentFile(
        original_name=PurePath(name).name[:255] or "document",
        media_type=extracted.kind.media_type,
        size=extracted.size,
        sha256=extracted.sha256,
        text=extracted.text,
        uploaded_by=by,
    )
    stored.file.save(
        f"upload{extracted.kind.suffixes[0]}", ContentFile(data), save=False
    )
    path = stored.file.name
    try:
        stored.full_clean()
        stored.save()
    except Exception:
        # Nothing half-stored: the bytes go with the refused row.
        stored.file.storage.delete(path)
        raise
    stored.extracted_title = extracted.title
    return stored


@transaction.atomic
def saved_search_create(*, user, name: str, query: str) -> SavedSearch:
    """Keep a search under a name, with a private, unguessable feed address."""
    search = SavedSearch(
        user=user,
        name=plain_text(name, limit=200, single_line=True) or query[:200],
        query=query,
        token=secrets.token_urlsafe(32),
    )
    search.full_clean()
    search.save()
    return search


@transaction.atomic
def saved_search_delete(*, search: SavedSearch) -> None:
    """Forget a saved search; its feed address stops answering."""
    search.delete()


def document_files_prune(*, before, dry_run: bool = False) -> int:
    """Delete uploads never attached to a document, uploaded before `before`.

    Their bytes go once the rows' deletion is committed.
    """
    waiting = DocumentFile.objects.filter(document__isnull=True, created_at__lt=before)
    count = waiting.count()
    if dry_run or not count:
        return count
    with transaction.atomic():
        names = list(waiting.values_list("file", flat=True))
        waiting.delete()
        storage = DocumentFile._meta.get_field("file").storage

        def remove() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(remove)
    return count
