"""Writes to the library: documents from harvests, forms and uploads; their tags."""

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clearinghouse.actors.models import Institution
from clearinghouse.core.langdetect import detect_language
from clearinghouse.core.languages import LANGUAGE_CODES
from clearinghouse.taxonomy.models import Issue

from . import bulk, indexing
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
from .signals import documents_saved_in_bulk
from .tagging import Suggestion, issue_suggester
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
class HarvestedRecord:
    """One partner record, as `documents_upsert_harvested` takes it."""

    original_identifier: str
    datestamp: object
    fields: dict
    # The cleaned values, or why they were refused, when computed ahead
    # (`harvested_record_prepare`); computed in the batch otherwise.
    prepared: tuple[dict | None, ValidationError | None] | None = None


class HarvestOutcome:
    """What one harvested record did to the library, or why it was refused.

    `error` is a ValidationError (the record's values) or a DatabaseError (the
    database refused it); nothing of a refused record is stored. A record
    created as rows (see `_HarvestBatch.create_new`) knows its document's
    key only: `document` reads the document when first asked.
    """

    __slots__ = ("_document", "_document_id", "changed", "created", "error")

    def __init__(
        self,
        document: Document | None,
        created: bool,
        changed: bool,
        error: Exception | None = None,
        *,
        document_id: int | None = None,
    ) -> None:
        self._document = document
        self._document_id = document_id
        self.created = created
        self.changed = changed
        self.error = error

    @property
    def document_id(self) -> int | None:
        """The document's key (known once the batch is written)."""
        if self._document is not None:
            return self._document.pk
        return self._document_id

    @property
    def document(self) -> Document | None:
        """The document the record created or changed (None if refused)."""
        if self._document is None and self._document_id is not None:
            self._document = Document.objects.get(pk=self._document_id)
        return self._document


def _aware(value) -> datetime | None:
    """A harvested datestamp as an aware datetime (a date means its midnight UTC)."""
    if type(value) is datetime and value.tzinfo is UTC:
        return value  # as an OAI-PMH datestamp is parsed
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
_DOCUMENT_TYPES = frozenset(DocumentType.values)


# A plain address (lower-case host of letters, digits and hyphens under a
# letters-only top-level domain, no port, user, query or fragment, a path of
# unreserved characters): one the URL validator accepts and whose canonical
# form is itself without a trailing slash. Most partners' addresses are such,
# and the validator and `canonical_url` cost more than the rest of a record's
# cleaning.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_URL = re.compile(
    rf"https?://((?:{_LABEL}\.)+[a-z]{{2,63}})(/[A-Za-z0-9._~%/-]*)?", re.ASCII
)


def _url_and_key(value: str | None) -> tuple[str, str]:
    """A harvested address we store and its canonical form, or ("", "") when
    it is left out."""
    if not value or len(value) > 1000:
        return "", ""
    plain = _PLAIN_URL.fullmatch(value)
    if plain is not None and len(plain[1]) <= 253:
        path = plain[2] or ""
        return value, value[: len(value) - len(path)] + path.rstrip("/")
    return _checked_url_and_key(value)


def _checked_url_and_key(value: str) -> tuple[str, str]:
    """`_url_and_key` for any address: validated, made canonical."""
    key = canonical_url(value)
    if not key:
        return "", ""
    try:
        _URL(value)
    except ValidationError:
        return "", ""
    return value, key


def _valid_url(value: str | None) -> bool:
    """Whether a harvested address is one we store (else it is left out)."""
    return bool(_url_and_key(value)[0])


def _clean_fields(fields: dict) -> dict:
    """Harvested values made safe: plain text, capped, closed lists checked
    (with the address's canonical form, one of the keys that match)."""
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
    url, url_key = _url_and_key(
        plain_text(fields.get("url"), limit=1000, single_line=True)
    )
    identifier = plain_text(fields.get("identifier"), limit=300, single_line=True)
    return {
        "title": title,
        "summary": plain_text(fields.get("summary"), limit=SUMMARY_MAX),
        # (A setting is read through a lazy object: only for a body.)
        "body": plain_text(body, limit=settings.LIBRARY_MAX_BODY_CHARS)
        if (body := fields.get("body"))
        else "",
        "authors": authors[:AUTHORS_MAX],
        "date": when,
        "date_precision": precision,
        "doc_type": doc_type if doc_type in _DOCUMENT_TYPES else "",
        "language": language if language in LANGUAGE_CODES else "",
        "url": url,
        "canonical_url": url_key,
        "identifier": identifier,
        "doi": normalize_doi(fields.get("doi")) or normalize_doi(identifier),
        "licence": plain_text(fields.get("licence"), limit=300, single_line=True),
    }


def derive_keys(document: Document) -> None:
    """Set the keys that find a document again: title key, canonical address, DOI."""
    document.title_key = title_key(document.title)
    document.canonical_url = canonical_url(document.url)
    document.doi = normalize_doi(document.doi) or normalize_doi(document.identifier)


def _schedule_index(document_id: int) -> None:
    transaction.on_commit(lambda: indexing.index_documents_safely([document_id]))


# What a harvest may change on a document besides the fields it gives.
_KEPT = (*_HARVESTED, "title_key", "canonical_url", "status", "withdrawn_at")
_PROVENANCE_FIELDS = (
    "source_label",
    "source_url",
    "datestamp",
    "deleted_upstream",
    "fetched_at",
)
# Validation in memory: the database's constraints hold by construction
# (a title, a withdrawal time) and are enforced by the database anyway.
_NO_QUERIES = {"validate_unique": False, "validate_constraints": False}
_IDENTIFIER = DocumentProvenance._meta.get_field("original_identifier")


def _check_identifier(identifier: str) -> None:
    """Validate a new provenance as `full_clean` would: its identifier is the
    one value that varies (its datestamp is an aware datetime or None, its
    fetch time and flag are ours; the rest is checked once per batch)."""
    try:
        _IDENTIFIER.clean(identifier, None)
    except ValidationError as error:
        raise ValidationError({"original_identifier": error.error_list}) from None


@cache
def _model_row(model) -> tuple[list, dict[str, int], list]:
    """Each column's default, each field's position in a row, and the fields
    whose default is made anew for each object (a list)."""
    fields = model._meta.concrete_fields
    return (
        [field.get_default() for field in fields],
        {field.attname: n for n, field in enumerate(fields)},
        # Only a default the model names and calls (a list); a field without
        # one has Django's NOT_PROVIDED, a class, which is callable too.
        [
            (n, field)
            for n, field in enumerate(fields)
            if field.has_default() and callable(field.default)
        ],
    )


def _row_of(model, values: dict, *, keep_blank: bool) -> list:
    """A row of every column of a model: these values (blank ones too, or
    left at their defaults), defaults elsewhere, a list default made anew."""
    defaults, position, fresh = _model_row(model)
    row = list(defaults)
    for name, value in values.items():
        if keep_blank or value not in ("", None):
            row[position[name]] = value
    for n, field in fresh:
        if row[n] is defaults[n]:
            row[n] = field.get_default()
    return row


def _table_row(model, values: dict, *, keep_blank: bool) -> list:
    """`_row_of` without the automatic key: a row as `bulk` inserts it."""
    row = _row_of(model, values, keep_blank=keep_blank)
    del row[_model_row(model)[1][model._meta.pk.attname]]
    return row


def _new_document(values: dict) -> Document:
    """A new published document with these values, as `Document(**values)`
    builds it with the blank ones left at their defaults, but from a row of
    every column (the model's fast path: no default looked up per field)."""
    row = _row_of(Document, values, keep_blank=False)
    row[_model_row(Document)[1]["status"]] = DocumentStatus.PUBLISHED
    return Document(*row)


def _new_row_object(model, **values):
    """`model(**values)` (a provenance, a tag), built from a row of every
    column as `_new_document` builds a document."""
    return model(*_row_of(model, values, keep_blank=True))


def _matching_ids(
    *,
    source_key: str,
    identifiers: list[str],
    dois: list[str],
    urls: list[str],
    title_keys: list[str],
) -> list[int]:
    """The documents a batch may match: of the source's records with these
    identifiers, or with one of these DOIs, canonical addresses or title keys.

    One query in plain SQL: the ORM's building of up to four lists of 500
    values cost more than running it, for nothing in a first harvest (where
    nothing matches)."""
    connection = connections[Document.objects.db]
    quote = connection.ops.quote_name
    document, provenance = Document._meta, DocumentProvenance._meta

    def among(meta, name: str, values: list) -> str:
        column = quote(meta.get_field(name).column)
        return f"{column} IN ({', '.join(['%s'] * len(values))})"

    conditions, params = [], []
    if identifiers:
        known = (
            f"SELECT {quote(provenance.get_field('document').column)} "  # noqa: S608
            f"FROM {quote(provenance.db_table)} "
            f"WHERE {quote(provenance.get_field('source_key').column)} = %s "
            f"AND {among(provenance, 'original_identifier', identifiers)}"
        )
        conditions.append(f"{quote(document.pk.column)} IN ({known})")
        params += [source_key, *identifiers]
    for name, values in (
        ("doi", dois),
        ("canonical_url", urls),
        ("title_key", title_keys),
    ):
        if values:
            conditions.append(among(document, name, values))
            params += values
    if not conditions:
        return []
    # Names from the models' meta, quoted; every value is a parameter.
    sql = (
        f"SELECT {quote(document.pk.column)} FROM {quote(document.db_table)} "  # noqa: S608
        f"WHERE {' OR '.join(conditions)}"
    )
    with connection.cursor() as cursor:
        bulk.execute(cursor, sql, params)
        return [row[0] for row in cursor.fetchall()]


def _existing(model, ids: set[int]) -> set[int]:
    """Which of these keys of a model's rows exist (no query for none)."""
    if not ids:
        return set()
    return set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _match_keys(values: dict) -> list[tuple]:
    """A record's keys that find the document it is, in the order they are
    tried: its DOI, its canonical address, its title (letters and digits) on
    its date."""
    keys = []
    if values["doi"]:
        keys.append(("doi", values["doi"]))
    if values["canonical_url"]:
        keys.append(("url", values["canonical_url"]))
    if values["date"] is not None:
        keys.append(("title", values["title_key"], values["date"]))
    return keys


class _HarvestBatch:
    """Records of one source matched and merged in memory, then written in bulk.

    Everything the matching needs is read in a few queries for the whole
    batch; each record is then applied in order, exactly as if the records
    were upserted one after another (a record can match a document created
    by an earlier record of the same batch). A record refused by validation
    changes nothing. The writes are bulk inserts and updates with their
    history rows, and one indexing call after the commit.
    """

    def __init__(
        self,
        *,
        source_key: str,
        source_label: str,
        source_url: str,
        issue_ids: set[int],
        institution_ids: set[int],
        suggester: Callable[[str], list[Suggestion]] | None = None,
    ):
        self.source_key = source_key
        # The issues and institutions the records name that exist here.
        self.known_issues = _existing(Issue, issue_ids)
        self.known_institutions = _existing(Institution, institution_ids)
        self.label = plain_text(source_label, limit=300, single_line=True)
        self.url = source_url if _valid_url(source_url) else ""
        # What every provenance of the batch shares is checked once.
        DocumentProvenance(
            source_key=source_key,
            source_label=self.label,
            source_url=self.url,
            original_identifier="-",
            fetched_at=timezone.now(),
        ).full_clean(exclude=["document"], **_NO_QUERIES)
        self.now = timezone.now()
        self.rank: dict[int, tuple] = {}  # id(document) -> order of "first by pk"
        self.keys: dict[int, tuple] = {}  # id(document) -> its matching keys
        self.index: dict[tuple, list[Document]] = {}
        self.provenances: dict[int, list[DocumentProvenance]] = {}
        self.by_identifier: dict[str, DocumentProvenance] = {}
        self.issues: dict[int, set[int]] = {}
        self.institutions: dict[int, set[int]] = {}
        self.created: list[Document] = []
        self.changed: dict[int, Document] = {}
        self.new_provenances: list[DocumentProvenance] = []
        self.changed_provenances: dict[int, DocumentProvenance] = {}
        self.new_tags: list[DocumentIssue] = []
        self.new_links: list[tuple[Document, int]] = []
        self.suggestions: dict[int, dict[int, float]] = {}
        self._suggest = suggester
        self.shared_suggester = suggester is not None
        self._issues_now: set[int] | None = None

    # Reading ---------------------------------------------------------------

    def load(self, cleaned: list[tuple[HarvestedRecord, dict | None]]) -> None:
        """Read every document the records may match, and what hangs on them."""
        values = [v for _r, v in cleaned if v is not None]
        ids = _matching_ids(
            source_key=self.source_key,
            identifiers=sorted({record.original_identifier for record, _v in cleaned}),
            dois=sorted({v["doi"] for v in values if v["doi"]}),
            urls=sorted({v["canonical_url"] for v in values if v["canonical_url"]}),
            # By title key alone, not with the dates too: a batch has few
            # dates, each shared by many documents, and SQLite then walks
            # the date's index, reading every document of those dates for
            # each batch (a first harvest's batches grew with the library).
            # A document of another date that shares a title key is read and
            # matches nothing (keys are title *and* date).
            title_keys=sorted(
                {v["title_key"] for v in values if v["date"] is not None}
            ),
        )
        documents = (
            {d.pk: d for d in Document.objects.filter(pk__in=ids).order_by("pk")}
            if ids
            else {}
        )
        for document in documents.values():
            self._add(document, rank=(0, document.pk))
            self.provenances[id(document)] = []
            self.issues[id(document)] = set()
            self.institutions[id(document)] = set()
        ids = list(documents)
        if not ids:
            return
        for provenance in DocumentProvenance.objects.filter(document_id__in=ids):
            document = documents[provenance.document_id]
            provenance.document = document
            self.provenances[id(document)].append(provenance)
            if provenance.source_key == self.source_key:
                self.by_identifier[provenance.original_identifier] = provenance
        for pk, issue_id in DocumentIssue.objects.filter(
            document_id__in=ids
        ).values_list("document_id", "issue_id"):
            self.issues[id(documents[pk])].add(issue_id)
        through = Document.institutions.through
        for pk, institution_id in through.objects.filter(
            document_id__in=ids
        ).values_list("document_id", "institution_id"):
            self.institutions[id(documents[pk])].add(institution_id)

    def _add(self, document: Document, *, rank: tuple) -> None:
        self.rank[id(document)] = rank
        self._reindex(document)

    def _reindex(self, document: Document) -> None:
        """File a document under its current keys (DOI, address, title + date)."""
        old = self.keys.get(id(document), ())
        new = []
        if document.doi:
            new.append(("doi", document.doi))
        if document.canonical_url:
            new.append(("url", document.canonical_url))
        if document.date is not None:
            new.append(("title", document.title_key, document.date))
        for key in old:
            if key not in new:
                self.index[key].remove(document)
        for key in new:
            if key not in old:
                self.index.setdefault(key, []).append(document)
        self.keys[id(document)] = tuple(new)

    def _first(self, key: tuple) -> Document | None:
        found = self.index.get(key)
        return min(found, key=lambda d: self.rank[id(d)]) if found else None

    def _find(self, identifier: str, values: dict):
        """The document a record is, and its provenance if already known.

        In order: the same record of the same source, the DOI, the canonical
        web address, then the same title (letters and digits) on the same date.
        """
        provenance = self.by_identifier.get(identifier)
        if provenance is not None:
            return provenance.document, provenance
        for key in _match_keys(values):
            if (document := self._first(key)) is not None:
                return document, None
        return None, None

    def _leads(self, document: Document) -> bool:
        """Whether this source's values win over what the document holds.

        A document added here keeps what its curators wrote; otherwise the
        source it first came from leads, and later sources only fill blanks.
        """
        provenances = self.provenances[id(document)]
        if any(p.is_local for p in provenances):
            return False
        live = [p for p in provenances if not p.deleted_upstream] or provenances
        if not live:
            return True
        first = min(live, key=lambda p: (p.fetched_at, p.pk or float("inf")))
        return first.source_key == self.source_key

    def suggest(self, text: str):
        if self._suggest is None:
            self._suggest = issue_suggester()
        suggestions = self._suggest(text)
        if suggestions and self.shared_suggester:
            # A caller's suggester read the taxonomy before this batch: only
            # issues that still exist are suggested (read once a batch).
            if self._issues_now is None:
                self._issues_now = set(Issue.objects.values_list("pk", flat=True))
            suggestions = [s for s in suggestions if s.issue_id in self._issues_now]
        return suggestions

    # Creating records that match nothing -----------------------------------

    def create_new(
        self,
        cleaned: list[tuple[HarvestedRecord, dict | None]],
        errors: dict,
        *,
        index: bool,
    ) -> list[HarvestOutcome]:
        """Create the batch's first records as rows, up to the first record
        that matches a document (one read for the batch, or one created
        earlier in it): documents with their history rows, provenances,
        issue tags with theirs and publisher links, the rows `apply` and
        `write` store for a record that matches nothing, without building a
        model object for each. A first harvest is all such records. Returns
        their outcomes; the records from the first match on are left to
        `apply`, in order, as if none of this batch had been created here.
        """
        keys: set[tuple] = set()
        # An outcome, or None for a record created here (its key is known
        # once the rows are in).
        outcomes: list[HarvestOutcome | None] = []
        documents: list[list] = []
        extras: list[tuple[HarvestedRecord, str]] = []
        position = {name: n for n, name in enumerate(bulk.table_for(Document).attnames)}
        by_identifier, filed = self.by_identifier, self.index
        for n, (record, values) in enumerate(cleaned):
            if values is None:
                outcomes.append(HarvestOutcome(None, False, False, errors[n]))
                continue
            identifier = record.original_identifier
            # What `_find` would find, and the batch's own records before it.
            own = _match_keys(values)
            own.append(("id", identifier))
            if (
                not keys.isdisjoint(own)
                or identifier in by_identifier
                or any(filed.get(key) for key in own[:-1])
            ):
                break
            if not 0 < len(identifier) <= _IDENTIFIER.max_length:
                try:
                    _check_identifier(identifier)
                except ValidationError as error:
                    outcomes.append(HarvestOutcome(None, False, False, error))
                    continue
            keys.update(own)
            text = "\n".join((values["title"], values["summary"], values["body"]))
            row = _table_row(Document, values, keep_blank=False)
            row[position["status"]] = DocumentStatus.PUBLISHED
            if not values["language"]:
                row[position["language"]] = detect_language(text)
            row[position["created_at"]] = row[position["updated_at"]] = self.now
            documents.append(row)
            extras.append((record, text))
            outcomes.append(None)
        if not documents:
            return outcomes
        ids = self._insert_new(documents, extras)
        created = iter(ids)
        self._written(ids, index=index)
        return [
            HarvestOutcome(None, True, True, document_id=next(created))
            if outcome is None
            else outcome
            for outcome in outcomes
        ]

    def _insert_new(
        self, documents: list[list], extras: list[tuple[HarvestedRecord, str]]
    ) -> list[int]:
        """Insert new documents' rows and what hangs on them; their keys."""
        ids = _insert_rows_with_history(Document, documents, "+", self.now)
        provenances = bulk.table_for(DocumentProvenance)
        provenance = _table_row(
            DocumentProvenance,
            {
                "source_key": self.source_key,
                "source_label": self.label,
                "source_url": self.url,
                "fetched_at": self.now,
                "deleted_upstream": False,
            },
            keep_blank=True,
        )
        slots = [
            provenances.attnames.index(name)
            for name in ("document_id", "original_identifier", "datestamp")
        ]
        provenance_rows, tags, links = [], [], []
        # The issues and publishers records name that exist here, sorted, by
        # the names (a source's records mostly share their defaults).
        existing: dict[tuple, list[int]] = {}

        def named(fields: dict, name: str, known: set[int]) -> list[int]:
            key = (name, *(fields.get(name) or ()))
            if (found := existing.get(key)) is None:
                found = existing[key] = sorted(set(key[1:]) & known)
            return found

        for pk, (record, text) in zip(ids, extras, strict=True):
            row = list(provenance)
            row[slots[0]] = pk
            row[slots[1]] = record.original_identifier
            row[slots[2]] = _aware(record.datestamp)
            provenance_rows.append(row)
            given = named(record.fields, "issue_ids", self.known_issues)
            if given:
                tags += [(pk, issue, 1.0) for issue in given]
            if suggested := self.suggest(text):  # one per issue
                tags += [
                    (pk, s.issue_id, s.score)
                    for s in suggested
                    if s.issue_id not in given
                ]
            links += [
                (pk, institution)
                for institution in named(
                    record.fields, "institution_ids", self.known_institutions
                )
            ]
        provenances.insert(provenance_rows)
        if tags:
            _insert_rows_with_history(
                DocumentIssue,
                [
                    _table_row(
                        DocumentIssue,
                        {
                            "document_id": pk,
                            "issue_id": issue,
                            "confirmed": False,
                            "score": score,
                        },
                        keep_blank=True,
                    )
                    for pk, issue, score in tags
                ],
                "+",
                self.now,
            )
        if links:
            bulk.table_for(Document.institutions.through).insert(
                links, ignore_conflicts=True
            )
        return ids

    # Applying one record ---------------------------------------------------

    def apply(self, record: HarvestedRecord, values: dict) -> HarvestOutcome:
        """Merge one record in memory; a ValidationError leaves no trace."""
        identifier = record.original_identifier
        document, provenance = self._find(identifier, values)
        stamp = _aware(record.datestamp)
        # The provenance's values, checked before anything changes.
        wanted = {
            "source_label": self.label,
            "source_url": self.url,
            "datestamp": stamp,
            "deleted_upstream": False,
        }
        if provenance is None:
            _check_identifier(identifier)
            candidate = _new_row_object(
                DocumentProvenance,
                source_key=self.source_key,
                original_identifier=identifier,
                fetched_at=self.now,
                **wanted,
            )
        else:
            candidate = None
        provenance_changes = (
            {f: v for f, v in wanted.items() if getattr(provenance, f) != v}
            if provenance is not None
            else {}
        )
        created = document is None
        if created:
            document = self._create(values)
            changed = True
        else:
            changed = self._merge(document, values, known=provenance is not None)
        if candidate is not None:
            candidate.document = document
            self.provenances[id(document)].append(candidate)
            self.by_identifier[identifier] = candidate
            self.new_provenances.append(candidate)
            changed = True
        elif provenance_changes:
            for field, value in provenance_changes.items():
                setattr(provenance, field, value)
            provenance.fetched_at = self.now
            if provenance.pk is not None:
                self.changed_provenances[provenance.pk] = provenance
            changed = True
        changed = self._relate(document, values, record.fields) or changed
        if changed and not created and document.pk is not None:
            self.changed[document.pk] = document
        return HarvestOutcome(document=document, created=created, changed=changed)

    def _create(self, values: dict) -> Document:
        text = "\n".join(
            v for v in (values["title"], values["summary"], values["body"])
        )
        document = _new_document(values)
        if not values["doc_type"]:
            document.doc_type = DocumentType.REPORT
        if not values["language"]:
            document.language = detect_language(text)
        document.title_key = values["title_key"]
        document.canonical_url = values["canonical_url"]
        # Valid by construction, without `full_clean` (a tenth of a harvested
        # record's cost): `_clean_fields` capped every text at its column's
        # length, kept closed lists' values only if they are choices, checked
        # the address, refused a blank title; the status is ours.
        self._add(document, rank=(1, len(self.created)))
        self.created.append(document)
        self.provenances[id(document)] = []
        self.issues[id(document)] = set()
        self.institutions[id(document)] = set()
        self.suggestions[id(document)] = {
            s.issue_id: s.score for s in self.suggest(text)
        }
        return document

    def _merge(self, document: Document, values: dict, *, known: bool) -> bool:
        """Apply what this source may change; validated, or restored and raised."""
        provenances = self.provenances[id(document)]
        # A second source of a known document only fills what is blank.
        leads = self._leads(document) if known else not provenances
        before = {field: getattr(document, field) for field in _KEPT}
        changed = False
        for field in _HARVESTED:
            new = values[field]
            if new in ("", None, []):
                continue
            if field == "date_precision" and values["date"] is None:
                continue
            old = getattr(document, field)
            if old != new and (leads or old in ("", None, [])):
                setattr(document, field, new)
                changed = True
        if (
            document.status == DocumentStatus.WITHDRAWN
            and provenances
            and all(p.deleted_upstream for p in provenances)
        ):
            # Withdrawn because every source had deleted it: one is back.
            document.status = DocumentStatus.PUBLISHED
            document.withdrawn_at = None
            changed = True
        if changed:
            derive_keys(document)
            try:
                document.full_clean(**_NO_QUERIES)
            except ValidationError:
                for field, value in before.items():
                    setattr(document, field, value)
                raise
            self._reindex(document)
        return changed

    def _relate(self, document: Document, values: dict, fields: dict) -> bool:
        """Add the record's issues, suggested issues and publishers (never remove)."""
        tags = self.issues[id(document)]
        given = {pk for pk in fields.get("issue_ids") or () if pk in self.known_issues}
        suggested = self.suggestions.pop(id(document), {})
        new = [(pk, 1.0) for pk in sorted(given - tags)] + [
            (pk, score)
            for pk, score in suggested.items()
            if pk not in tags and pk not in given
        ]
        for pk, score in new:
            tag = _new_row_object(
                DocumentIssue, issue_id=pk, confirmed=False, score=score
            )
            tag.document = document
            self.new_tags.append(tag)
            tags.add(pk)
        linked = self.institutions[id(document)]
        missing = {
            pk
            for pk in fields.get("institution_ids") or ()
            if pk in self.known_institutions and pk not in linked
        }
        for pk in sorted(missing):
            self.new_links.append((document, pk))
            linked.add(pk)
        return bool(new or missing)

    # Writing ---------------------------------------------------------------

    def write(self, *, index: bool) -> list[int]:
        """Bulk inserts and updates, with history; returns the documents written.

        New rows go in below the ORM (`bulk.py`: one statement per table),
        changed documents through the ORM's bulk update with their history.
        With `index`, the documents are indexed (in one call) once committed."""
        if bulk.supported(Document):
            self._insert_raw()
        else:  # pragma: no cover (SQLite before 3.35: no INSERT … RETURNING)
            self._insert_orm()
        changed = list(self.changed.values())
        if changed:
            for document in changed:
                document.updated_at = self.now
            bulk_update_with_history(
                changed, Document, [*_KEPT, "updated_at"], default_date=self.now
            )
        if self.changed_provenances:
            DocumentProvenance.objects.bulk_update(
                list(self.changed_provenances.values()), _PROVENANCE_FIELDS
            )
        ids = sorted(
            {d.pk for d in self.created}
            | set(self.changed)
            | {p.document_id for p in self.new_provenances}
            | {p.document_id for p in self.changed_provenances.values()}
            | {t.document_id for t in self.new_tags}
            | {d.pk for d, _pk in self.new_links}
        )
        self._written(ids, index=index)
        return ids

    @staticmethod
    def _written(ids: list[int], *, index: bool) -> None:
        """Tell followers of these written documents; index them once committed."""
        if ids:
            # Bulk writes send no post_save: followers hear of the batch at once.
            documents_saved_in_bulk.send(sender=Document, ids=ids)
        if ids and index:
            transaction.on_commit(lambda: indexing.index_documents_safely(ids))

    def _insert_raw(self) -> None:
        """New documents, provenances, tags and links, with the history rows
        of documents and tags, in one statement per table."""
        alias = router.db_for_write(Document)
        if self.created:
            for document in self.created:
                document.created_at = document.updated_at = self.now
            keys = _insert_with_history(self.created, "+", self.now)
            for document, pk in zip(self.created, keys, strict=True):
                document.pk = pk
                document._state.adding = False
                document._state.db = alias
        if self.new_provenances:
            for provenance in self.new_provenances:
                provenance.document_id = provenance.document.pk
            table = bulk.table_for(DocumentProvenance)
            table.insert(table.values_of(p) for p in self.new_provenances)
        if self.new_tags:
            for tag in self.new_tags:
                tag.document_id = tag.document.pk
            keys = _insert_with_history(self.new_tags, "+", self.now)
            for tag, pk in zip(self.new_tags, keys, strict=True):
                tag.pk = pk
        if self.new_links:
            bulk.table_for(Document.institutions.through).insert(
                ((document.pk, pk) for document, pk in self.new_links),
                ignore_conflicts=True,
            )

    def _insert_orm(self) -> None:  # pragma: no cover (see `write`)
        if self.created:
            bulk_create_with_history(self.created, Document, default_date=self.now)
        for provenance in self.new_provenances:
            provenance.document = provenance.document  # its primary key, now known
        if self.new_provenances:
            DocumentProvenance.objects.bulk_create(self.new_provenances)
        for tag in self.new_tags:
            tag.document = tag.document
        if self.new_tags:
            bulk_create_with_history(
                self.new_tags, DocumentIssue, default_date=self.now
            )
        if self.new_links:
            through = Document.institutions.through
            through.objects.bulk_create(
                [
                    through(document_id=document.pk, institution_id=pk)
                    for document, pk in self.new_links
                ],
                ignore_conflicts=True,
            )


def _insert_with_history(objects: list, history_type: str, when) -> list[int]:
    """Insert new objects of a model with public history, and one history
    row each; their new keys."""
    table = bulk.table_for(type(objects[0]))
    return _insert_rows_with_history(
        type(objects[0]), [table.values_of(o) for o in objects], history_type, when
    )


def _insert_rows_with_history(model, rows: list, history_type: str, when) -> list[int]:
    """Insert new rows of a model with public history (values in its bulk
    table's order), and one history row each (as django-simple-history
    writes it: no user, no reason), copied from the stored rows by the
    database; their new keys."""
    table = bulk.table_for(model)
    keys = table.insert_returning_keys(rows)
    history = bulk.table_for(model.history.model)
    history.copy_rows(
        table,
        keys,
        {
            "history_date": history.connection.ops.adapt_datetimefield_value(when),
            "history_type": history_type,
        },
    )
    return keys


def _prepared_values(
    record: HarvestedRecord,
) -> tuple[dict | None, ValidationError | None]:
    try:
        values = _clean_fields(record.fields)
    except ValidationError as error:
        return None, error
    values["title_key"] = title_key(values["title"])
    return values, None


def harvested_record_prepare(record: HarvestedRecord) -> HarvestedRecord:
    """Clean a record's values ahead of its batch (they depend on the record
    alone), so that a harvest does it before its transaction starts."""
    record.prepared = _prepared_values(record)
    return record


@transaction.atomic
def documents_upsert_harvested(
    *,
    source_key: str,
    source_label: str,
    source_url: str,
    records: list[HarvestedRecord],
    index: bool = True,
    suggester: Callable[[str], list[Suggestion]] | None = None,
) -> list[HarvestOutcome]:
    """Create or merge a batch of one source's records, writing only what changed.

    One outcome per record, in order. Matching, merging and validation are
    the same as for records upserted one by one (see `document_upsert_harvested`),
    but the batch costs a few queries to read, bulk writes, and one indexing
    call (after the commit; a caller that indexes larger batches itself passes
    `index=False` and indexes the changed outcomes' documents). If the
    database refuses the batch's writes, its records are written one by one,
    so that only the offending record is refused. A caller that writes many
    batches passes the issue `suggester` it read the taxonomy into once
    (`tagging.issue_suggester`); else each batch reads it.
    """
    cleaned: list[tuple[HarvestedRecord, dict | None]] = []
    errors: dict[int, Exception] = {}
    for n, record in enumerate(records):
        values, error = record.prepared or _prepared_values(record)
        if error is not None:
            cleaned.append((record, None))
            errors[n] = error
            continue
        cleaned.append((record, dict(values)))
    new_batch = partial(
        _HarvestBatch,
        source_key=source_key,
        source_label=source_label,
        source_url=source_url,
        issue_ids={pk for r in records for pk in r.fields.get("issue_ids") or ()},
        institution_ids={
            pk for r in records for pk in r.fields.get("institution_ids") or ()
        },
        suggester=suggester,
    )
    batch = new_batch()
    batch.load(cleaned)
    try:
        with transaction.atomic():
            # Records that match nothing go in as rows (a first harvest: all).
            outcomes = batch.create_new(cleaned, errors, index=index)
            if len(outcomes) < len(cleaned):
                rest = list(enumerate(cleaned))[len(outcomes) :]
                if any(o.created for o in outcomes):
                    # The rest may match the documents just created.
                    batch = new_batch()
                    batch.load([pair for _n, pair in rest])
                for n, (record, values) in rest:
                    if values is None:
                        outcomes.append(HarvestOutcome(None, False, False, errors[n]))
                        continue
                    try:
                        outcomes.append(batch.apply(record, values))
                    except ValidationError as error:
                        outcomes.append(HarvestOutcome(None, False, False, error))
                batch.write(index=index)
    except DatabaseError as error:
        if len(records) == 1:
            return [HarvestOutcome(None, False, False, error)]
        logger.warning(
            "library.harvest.batch_refused",
            extra={"source_key": source_key, "error": type(error).__name__},
        )
        return [
            documents_upsert_harvested(
                source_key=source_key,
                source_label=source_label,
                source_url=source_url,
                records=[record],
                index=index,
                suggester=suggester,
            )[0]
            for record in records
        ]
    return outcomes


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
    Raises the ValidationError (or DatabaseError) that refused the record.
    """
    (outcome,) = documents_upsert_harvested(
        source_key=source_key,
        source_label=source_label,
        source_url=source_url,
        records=[HarvestedRecord(original_identifier, datestamp, fields)],
    )
    if outcome.error is not None:
        raise outcome.error
    return outcome


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
