"""What every harvester shares: the run context, retries, XML screening, the base class.

A harvester is a small class per protocol (see `Harvester`). It reads the
source through `HarvestContext.fetch` (the guarded fetcher with retries and
backoff) and writes through `HarvestContext.document` / `withdraw` / `event`,
which call the owning apps' services and keep the run's counts and errors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache, partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree

from clearinghouse.core import sqlite_checkpoints, sqlite_waits
from clearinghouse.core.fetch import (
    FetchError,
    FetchRefused,
    FetchResponse,
    FetchSession,
    FetchTooLarge,
    fetch,
)
from clearinghouse.core.services import LoadReport
from clearinghouse.events import services as event_services
from clearinghouse.library import index_process, indexing
from clearinghouse.library import services as library_services
from clearinghouse.library.models import DocumentProvenance
from clearinghouse.library.tagging import Suggestion, issue_suggester

from .models import HarvestRun, Source

logger = logging.getLogger(__name__)

TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
# Per-field caps before the library's own (harvested text is never trusted).
FIELD_CAPS = {
    "title": 2000,
    "summary": 20000,
    "body": 200000,
    "authors": 100,
    "author": 300,
    "url": 1000,
    "identifier": 500,
    "doi": 300,
    "licence": 1000,
    "date": 100,
}
MAX_ERRORS_KEPT = 200
# Records matched and written together (an OAI-PMH page is usually smaller).
BATCH_SIZE = 500
# Documents indexed together: each indexing call commits the search index.
INDEX_BATCH_SIZE = 5000
# Documents handed together to the indexing process (which runs beside the
# harvest), and how many written documents make starting that process worth
# it: one full page, so that the process starts while the next pages are
# fetched and written, and indexes each page while the following one is.
INDEX_PROCESS_BATCH_SIZE = BATCH_SIZE


class HarvestFailed(Exception):
    """The harvest cannot go on; the message (translated) says why, and `code`
    (for a harvester's own use) what happened: an OAI-PMH error code, say."""

    def __init__(self, message: str, *, record: str = "", code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.record = record
        self.code = code


def _xml_parser() -> etree.XMLParser:
    """libxml2 (lxml) with nothing fetched or expanded: no entity is
    resolved, no DTD loaded, no network; its limits on depth and text sizes
    kept (no `huge_tree`). Comments and processing instructions are dropped
    as the standard library's parser drops them, so texts read the same."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(content: bytes, *, what: str) -> etree._Element:
    """Parse harvested XML without entities or external references, or HarvestFailed.

    A document type that declares entities, or a reference to an entity the
    document does not define (left unexpanded), is refused: nothing harvested
    may depend on what an entity would expand to (decision record 0007).
    """
    refused = HarvestFailed(
        _("%(what)s declares XML entities or external references; refused.")
        % {"what": what}
    )
    try:
        root = etree.fromstring(content, _xml_parser())
    except etree.XMLSyntaxError as error:
        if b"<!DOCTYPE" in content and b"<!ENTITY" in content:
            # libxml2 stops an entity bomb even unexpanded: say why.
            raise refused from error
        raise HarvestFailed(
            _("%(what)s is not well-formed XML (%(error)s).")
            % {"what": what, "error": str(error)[:200]}
        ) from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype:
        dtd = docinfo.internalDTD
        if (dtd is not None and any(True for _e in dtd.iterentities())) or any(
            True for _e in root.iter(etree.Entity)
        ):
            raise refused
    return root


def cap(value, name: str) -> str:
    """A harvested text value, stripped and cut at the field's cap."""
    if value is None:
        return ""
    return str(value).strip()[: FIELD_CAPS.get(name, 2000)]


def _retry_after(response: FetchResponse) -> float | None:
    value = response.header("retry-after").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


@dataclass
class HarvestContext:
    """One run of one source: fetching with retries, writing, counting."""

    source: Source
    run: HarvestRun
    dry_run: bool = False
    allow_loopback: bool = False
    sleep: Callable[[float], None] = time.sleep
    seen: set[str] = field(default_factory=set)
    # Identifier -> datestamp of what this source gave before (OAI-PMH).
    known: dict = field(default_factory=dict)
    # Renews the source's harvest lock; False when this harvest has lost it.
    keep_lease: Callable[[], bool] = lambda: True
    lease_renewed: float = field(default_factory=time.monotonic)
    # How often the lock is renewed: a third of its lifetime (read once: a
    # setting is a lazy object's attribute, and this is asked every record).
    lease_every: float = field(
        default_factory=lambda: settings.FEDERATION_LEASE_SECONDS / 3
    )
    # The run's open connections to the source (closed by the caller).
    connections: FetchSession = field(default_factory=FetchSession)
    # Documents waiting to be written as one batch.
    pending: list = field(default_factory=list)
    # Inside `batch()`: the page's other changes (withdrawals, events), each
    # with the documents queued before it, made once the page has been read
    # (None: not in a page).
    deferred: list | None = None
    # Documents written but not yet indexed (indexed in large batches).
    to_index: set = field(default_factory=set)
    # Indexing in a second process (None: here, in this one), see `index`.
    indexer: index_process.IndexingProcess | None = None
    # Told of each page's commit: the database's log is copied back beside
    # the harvest (see `source_harvest`), or by its own commits (here).
    checkpoints: sqlite_checkpoints.Checkpoints | sqlite_checkpoints.Unchanged = field(
        default_factory=sqlite_checkpoints.Unchanged
    )
    # Issue suggestions from the taxonomy as the run found it (read once).
    suggester: Callable[[str], list[Suggestion]] | None = None

    @property
    def label(self) -> str:
        """How the source is credited on records."""
        return f"{self.source.name} ({self.source.institution})"

    @contextmanager
    def batch(self):
        """A page of records: read, mapped and queued first, then matched and
        written in one transaction, whole or not at all. The transaction
        starts only once the page has been read: on SQLite it holds the
        database's write lock from its start, and the site's own writes (a
        sign-in, a contribution) wait for it meanwhile. (A dry run is one
        rolled-back transaction around the whole harvest already.)"""
        self.deferred = []
        try:
            yield
        except BaseException:
            self.deferred = None
            raise
        steps, self.deferred = self.deferred, None
        if not steps and not self.pending:
            # Nothing to write (a page the source gave before, unchanged):
            # no transaction, so the write lock is not taken for nothing.
            return
        started = time.monotonic()
        with transaction.atomic():
            for records, change in steps:
                self._write_all(records)
                change()
            self._write_all(self.pending)
            self.pending = []
        if not self.dry_run:
            self.checkpoints.committed()
            # The site's writes that waited for the page get their turn.
            sqlite_waits.give_way(connection, time.monotonic() - started)
        if self.indexer is None and len(self.to_index) >= INDEX_BATCH_SIZE:
            self.index()
        elif self.indexer is not None and (
            len(self.to_index) >= INDEX_PROCESS_BATCH_SIZE
        ):
            self.indexer.submit(self.to_index)
            self.to_index = set()

    def start_indexing_process(self) -> None:
        """Index in a second process from now on, when it can see our commits
        (see `IndexingProcess.usable`); `index` then waits for it."""
        if not self.dry_run and index_process.IndexingProcess.usable():
            self.indexer = index_process.IndexingProcess()

    def expect_new_documents(self) -> None:
        """Say that this run will write many new documents (a source's first
        complete listing): the indexing process, if any, starts now, so that
        its start-up runs beside the first pages instead of after them."""
        if self.indexer is not None:
            self.indexer.start()

    def index(self) -> None:
        """Bring the search index in step with the documents written so far
        (after the indexing process, if any, has indexed what it was given)."""
        ids, self.to_index = sorted(self.to_index), set()
        if self.dry_run:
            return
        if self.indexer is not None:
            indexer, self.indexer = self.indexer, None
            if indexer.started or len(ids) >= INDEX_PROCESS_BATCH_SIZE:
                # The running process indexes the rest too: this one would
                # wait for its writer anyway.
                indexer.submit(ids)
                ids = []
            indexer.finish()
        if ids:
            indexing.index_documents_safely(ids)

    def error(self, message: str, *, record: str = "") -> None:
        """Log a per-record or per-request error in the run."""
        self.run.skipped += 1 if record else 0
        if len(self.run.errors) < MAX_ERRORS_KEPT:
            self.run.errors.append({"record": record[:500], "message": message[:1000]})
        logger.warning(
            "federation.harvest.error",
            extra={"source": self.source.pk, "record": record[:200], "error": message},
        )

    def heartbeat(self) -> None:
        """Renew the source's lock every third of its lifetime, so that it
        expires only when this harvest stops making progress (its worker was
        killed), and stop if another harvest has taken the source over."""
        now = time.monotonic()
        if now - self.lease_renewed < self.lease_every:
            return
        self.lease_renewed = now
        if not self.keep_lease():
            raise HarvestFailed(_("Another harvest is running."))

    def fetch(
        self, url: str, *, headers: dict[str, str] | None = None
    ) -> FetchResponse:
        """GET through the guarded fetcher, retrying transient failures with backoff.

        A 503/429 with Retry-After waits what the server asks (capped); other
        transient failures wait base × 2^attempt. Refusals and oversized
        bodies are not retried. Returns the response of any final status.
        """
        attempts = settings.FEDERATION_RETRIES + 1
        for attempt in range(attempts):
            self.heartbeat()
            self.run.requests += 1
            last = attempt == attempts - 1
            try:
                response = fetch(
                    url,
                    headers=headers,
                    allow_loopback=self.allow_loopback,
                    session=self.connections,
                )
            except (FetchRefused, FetchTooLarge) as error:
                raise HarvestFailed(error.message) from error
            except FetchError as error:
                if last:
                    raise HarvestFailed(error.message) from error
                self._wait(attempt, None)
                continue
            if response.status in TRANSIENT_STATUSES and not last:
                self._wait(attempt, _retry_after(response))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, asked: float | None) -> None:
        self.run.retries += 1
        delay = settings.FEDERATION_RETRY_BASE * (2**attempt)
        if asked is not None:
            delay = asked
        self.sleep(min(delay, settings.FEDERATION_RETRY_MAX_WAIT))

    def document(self, *, identifier: str, datestamp, fields: dict) -> None:
        """Queue one harvested document: created, merged or left unchanged when
        the batch is written (at the end of `batch()`, or every BATCH_SIZE)."""
        self.heartbeat()
        source = self.source
        fields.setdefault("issue_ids", self.default_issue_ids)
        fields.setdefault("institution_ids", [source.institution_id])
        if not fields.get("doc_type") and source.default_doc_type:
            fields["doc_type"] = source.default_doc_type
        if not fields.get("language") and source.default_language:
            fields["language"] = source.default_language
        self.pending.append(
            library_services.harvested_record_prepare(
                library_services.HarvestedRecord(identifier, datestamp, fields)
            )
        )
        if len(self.pending) >= BATCH_SIZE and self.deferred is None:
            self.flush()

    def flush(self) -> None:
        """Write the queued documents in one batch and count what each did."""
        records, self.pending = self.pending, []
        self._write(records)

    def _write_all(self, records: list) -> None:
        for start in range(0, len(records), BATCH_SIZE):
            self._write(records[start : start + BATCH_SIZE])

    def _write(self, records: list) -> None:
        if not records:
            return
        if self.suggester is None:
            # The taxonomy read once for the run (four queries a page).
            self.suggester = issue_suggester()
        outcomes = library_services.documents_upsert_harvested(
            source_key=self.source.key,
            source_label=self.label,
            source_url=self.source.url,
            records=records,
            index=False,
            suggester=self.suggester,
        )
        for record, outcome in zip(records, outcomes, strict=True):
            if outcome.changed:
                self.to_index.add(outcome.document_id)
            identifier = record.original_identifier
            if isinstance(outcome.error, ValidationError):
                self.error(_validation_text(outcome.error), record=identifier)
            elif outcome.error is not None:
                self.error(
                    _("The database refused this record (%(error)s).")
                    % {"error": type(outcome.error).__name__},
                    record=identifier,
                )
            elif outcome.created:
                self.run.created += 1
            elif outcome.changed:
                self.run.updated += 1
            else:
                self.run.unchanged += 1

    def withdraw(self, *, identifier: str) -> None:
        """Record the source's deletion of a record (after what came before it)."""
        self._after_queued(partial(self._withdraw_now, identifier))

    def _after_queued(self, change: Callable[[], None]) -> None:
        """Make a change after the documents queued before it are written: at
        the end of the page inside `batch()`, at once outside."""
        if self.deferred is not None:
            self.deferred.append((self.pending, change))
            self.pending = []
            return
        self.flush()
        change()

    def _withdraw_now(self, identifier: str) -> None:
        if library_services.document_withdraw_provenance(
            source_key=self.source.key, original_identifier=identifier
        ):
            self.run.deleted += 1
        else:
            self.run.unchanged += 1

    def load_known(self) -> None:
        """Read what this source gave before (`known`): the datestamp of each
        live record, by identifier. Read as text and converted once per
        distinct value (a repository's records share few datestamps): the
        ORM's conversion of every row was a tenth of a re-harvest."""
        self.known = {
            identifier: None if stamp is None else _stored_time(stamp)
            for identifier, stamp in DocumentProvenance.objects.filter(
                source_key=self.source.key, deleted_upstream=False
            ).values_list("original_identifier", Cast("datestamp", CharField()))
        }

    def gave_before(self, identifier: str, stamp: datetime | None) -> bool:
        """Whether the source gave this record before with this datestamp:
        by the protocol, the same record (`known`; an unreadable datestamp
        is never the same)."""
        return stamp is not None and self.known.get(identifier) == stamp

    def withdraw_missing(self, listed: set[str]) -> None:
        """After a complete listing: what the source no longer lists is gone.

        What it listed before is `known`, read when the harvest started
        (`load_known`, which the harvester calls first): a source has one
        harvest at a time, so nothing else added to it since, and what this
        harvest added it listed. Not read again: 0.1 s at 100,000 records, a
        fifteenth of a re-harvest."""
        for identifier in sorted(self.known.keys() - listed):
            self.withdraw(identifier=identifier)

    def event(self, *, identifier: str, values: dict, issues) -> None:
        """Create, update or leave unchanged one harvested event, organised by
        the source's institution; a refused one is logged with its identifier."""
        self._after_queued(partial(self._event_now, identifier, values, list(issues)))

    def _event_now(self, identifier: str, values: dict, issues: list) -> None:
        source = self.source
        report = LoadReport(reason=_("Harvested from %(source)s") % {"source": source})
        try:
            with transaction.atomic():
                event_services.event_upsert(
                    uid=f"{source.key}:{identifier}"[:255],
                    values=values,
                    report=report,
                    organizers=[source.institution],
                    issues=issues,
                )
        except ValidationError as error:
            self.error("; ".join(error.messages), record=identifier)
            return
        self.count(report)

    def count(self, report: LoadReport) -> None:
        """Count what a loader (the events import) did in the run."""
        self.run.created += sum(report.created.values())
        self.run.updated += sum(report.updated.values())
        self.run.unchanged += sum(report.unchanged.values())

    @property
    def default_issue_ids(self) -> list[int]:
        """The source's default issues, read once per run."""
        if not hasattr(self, "_issue_ids"):
            self._issue_ids = list(
                self.source.default_issues.values_list("pk", flat=True)
            )
        return list(self._issue_ids)


@lru_cache(maxsize=4096)
def _stored_time(text: str) -> datetime | None:
    """A stored time read as text (SQLite: naive UTC; PostgreSQL: with its
    offset) as an aware datetime, as the ORM would read it."""
    value = parse_datetime(text)
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=UTC)


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class Harvester:
    """Base class of the harvesters, one per kind of source.

    A subclass implements `harvest(context)`: it fetches through
    `context.fetch`, writes through `context.document`, `context.withdraw`
    (or the events services), counts `context.run.fetched`, reports bad
    records with `context.error(message, record=id)` and raises HarvestFailed
    when the source as a whole cannot be read. It sets `context.run.complete`
    only when it listed the whole source, and deletes nothing otherwise.
    """

    def harvest(self, context: HarvestContext) -> None:
        """Harvest the context's source once."""
        raise NotImplementedError
