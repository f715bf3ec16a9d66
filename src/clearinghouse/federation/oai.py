"""OAI-PMH 2.0 harvesting: ListRecords with resumption tokens, Dublin Core to documents.

Incremental from the datestamp of the last complete harvest (in the granularity
the repository declares); restarts the listing once more after
`badResumptionToken` (an expired token); `status="deleted"` headers withdraw
the record; a complete listing (no `from`) also withdraws the records the
repository no longer has. A complete listing of a source harvested before
reads the records' headers (ListIdentifiers), then only the records whose
datestamp moved (ListRecords from the earliest of them); a repository that
refuses ListIdentifiers is listed in full. A failed or partial harvest deletes
nothing and keeps the previous datestamp, so the next harvest covers the gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from lxml.etree import _Element as Element

from clearinghouse.library.models import DocumentType

from .harvesting import (
    BATCH_SIZE,
    FIELD_CAPS,
    MAX_ERRORS_KEPT,
    HarvestContext,
    Harvester,
    HarvestFailed,
    cap,
    parse_xml,
)
from .provider import oai_time

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
_DC_ANY = f"{DC}*"
_DC_LENGTH = len(DC)
_RECORD = f"{OAI}record"
_HEADER = f"{OAI}header"
_METADATA = f"{OAI}metadata"
_IDENTIFIER = f"{OAI}identifier"
_DATESTAMP = f"{OAI}datestamp"
MAX_RESTARTS = 2
MAX_PAGES = 1_000_000
# HarvestFailed's code for a page without its verb's list element.
NO_LIST_ELEMENT = "noListElement"

# ISO 639-1/639-2 codes and English names to our six languages.
LANGUAGES = {
    "ar": "ar",
    "ara": "ar",
    "arabic": "ar",
    "zh": "zh-hans",
    "zho": "zh-hans",
    "chi": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-hans": "zh-hans",
    "chinese": "zh-hans",
    "en": "en",
    "eng": "en",
    "english": "en",
    "fr": "fr",
    "fra": "fr",
    "fre": "fr",
    "french": "fr",
    "ru": "ru",
    "rus": "ru",
    "russian": "ru",
    "es": "es",
    "spa": "es",
    "spanish": "es",
}
# Words of dc:type (DCMI types, COAR and common repository vocabularies).
TYPES = [
    ("best practice", DocumentType.BEST_PRACTICE),
    ("best_practice", DocumentType.BEST_PRACTICE),
    ("toolkit", DocumentType.TOOLKIT),
    ("standard", DocumentType.STANDARD),
    ("proceeding", DocumentType.PROCEEDINGS),
    ("conference", DocumentType.PROCEEDINGS),
    ("law", DocumentType.LAW),
    ("legislation", DocumentType.LAW),
    ("regulation", DocumentType.LAW),
    ("policy", DocumentType.POLICY),
    ("news", DocumentType.NEWS),
    ("article", DocumentType.RESEARCH),
    ("thesis", DocumentType.RESEARCH),
    ("research", DocumentType.RESEARCH),
    ("preprint", DocumentType.RESEARCH),
    ("report", DocumentType.REPORT),
]
_DOI = re.compile(
    r"(?:doi:\s*|https?://(?:dx\.)?doi\.org/|info:doi/)?(10\.\d{4,9}/\S+)", re.I
)


def _dc_texts(metadata: Element) -> dict[str, list[str]]:
    """The non-blank texts of every Dublin Core element, by name, in document
    order (one walk of the record, where a walk per name cost eight)."""
    texts: dict[str, list[str]] = {}
    # Only Dublin Core elements are made Python objects (lxml filters them).
    for element in metadata.iter(_DC_ANY):
        text = element.text
        if text and (text := text.strip()):
            texts.setdefault(element.tag[_DC_LENGTH:], []).append(text)
    return texts


def dublin_core_fields(metadata: Element) -> dict:
    """The library fields of one oai_dc record (text still to be sanitized).

    The texts come stripped from `_dc_texts`, so that capping one is cutting
    it (what `cap` does to any value)."""
    texts = _dc_texts(metadata)
    urls, plain = [], []
    doi = ""
    for value in texts.get("identifier", ()):
        match = _DOI.fullmatch(value)
        if match and not doi:
            doi = match.group(1)
        if value.lower().startswith(("http://", "https://")):
            urls.append(value)
        elif not match:
            plain.append(value)
    doc_type = ""
    for value in texts.get("type", ()):
        doc_type = _doc_type(value)
        if doc_type:
            break
    language = ""
    for value in texts.get("language", ()):
        language = LANGUAGES.get(value.lower().replace("_", "-"), "")
        if language:
            break
    titles = texts.get("title", ())
    descriptions = texts.get("description", ())
    return {
        "title": titles[0][: FIELD_CAPS["title"]] if titles else "",
        "summary": descriptions[0][: FIELD_CAPS["summary"]] if descriptions else "",
        "body": "\n\n".join(descriptions[1:])[: FIELD_CAPS["body"]],
        "authors": [
            a[: FIELD_CAPS["author"]]
            for a in texts.get("creator", ())[: FIELD_CAPS["authors"]]
        ],
        "date": next(iter(texts.get("date", ())), "")[: FIELD_CAPS["date"]],
        "doc_type": doc_type,
        "language": language,
        "url": next((u for u in urls if "doi.org/" not in u), urls[0] if urls else "")[
            : FIELD_CAPS["url"]
        ],
        "identifier": plain[0][: FIELD_CAPS["identifier"]] if plain else "",
        "doi": doi[: FIELD_CAPS["doi"]],
        "licence": next(iter(texts.get("rights", ())), "")[: FIELD_CAPS["licence"]],
    }


@lru_cache(maxsize=1024)
def _doc_type(value: str) -> str:
    """Our document type for a dc:type value ("" if none): the first of TYPES
    whose word it contains. Remembered: a repository uses a few values."""
    lowered = value.lower()
    return next((t for word, t in TYPES if word in lowered), "")


@lru_cache(maxsize=1024)
def parse_datestamp(value: str) -> datetime | None:
    """An OAI-PMH datestamp (day or second granularity) as an aware UTC datetime.

    Remembered: a page's records often share a few datestamps, and strptime
    costs more than the rest of a record's header.
    """
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _datestamp(value: str, granularity: str) -> str:
    """A datestamp in the repository's declared granularity."""
    return value[:10] if granularity == "YYYY-MM-DD" else value


@dataclass
class _Listing:
    """One listing of a repository: the date of its first response, from
    which the next incremental harvest asks (`from`)."""

    started: str = ""


class OaiPmhHarvester(Harvester):
    """Harvests an OAI-PMH 2.0 repository (oai_dc, or the source's prefix)."""

    def _page(self, context: HarvestContext, params: dict[str, str]) -> Element:
        url = f"{context.source.url.split('?', 1)[0]}?{urlencode(params)}"
        response = context.fetch(url)
        if response.status != 200:
            raise HarvestFailed(
                _("The repository answered with HTTP status %(status)s.")
                % {"status": response.status}
            )
        root = parse_xml(response.content, what=_("The repository's response"))
        if root.tag != f"{OAI}OAI-PMH":
            raise HarvestFailed(_("The response is not an OAI-PMH document."))
        return root

    def _granularity(self, context: HarvestContext) -> str:
        root = self._page(context, {"verb": "Identify"})
        error = root.find(f"{OAI}error")
        if error is not None:
            raise HarvestFailed(
                _("The repository refused Identify: %(code)s.")
                % {"code": error.get("code", "")}
            )
        value = root.findtext(f"{OAI}Identify/{OAI}granularity", "").strip()
        return value or "YYYY-MM-DD"

    def harvest(self, context: HarvestContext) -> None:
        source = context.source
        granularity = self._granularity(context)
        first = {"metadataPrefix": source.oai_metadata_prefix}
        if source.oai_set:
            first["set"] = source.oai_set
        incremental = bool(source.cursor)
        if incremental:
            first["from"] = _datestamp(source.cursor, granularity)
        listing = _Listing()
        identifiers: set[str] = set()
        context.load_known()
        caught_up = True  # whether the next harvest may start from this one
        if not incremental and context.known:
            # A complete listing of a source harvested before: its headers
            # first, then the records of what changed since (see `_headers`).
            changed = self._headers(context, listing, first, identifiers)
            if changed is None:  # no ListIdentifiers here: every record again
                listing, identifiers = _Listing(), set()
                self._records(context, listing, first, identifiers)
            elif changed:
                caught_up = self._changed(
                    context, first, granularity, changed, identifiers
                )
        else:
            if not incremental and not context.known:
                context.expect_new_documents()
            self._records(context, listing, first, identifiers)
        if not incremental:
            context.withdraw_missing(identifiers)
            context.run.complete = True
        if caught_up and listing.started and not context.dry_run:
            source.cursor = listing.started[:40]

    def _pages(
        self,
        context: HarvestContext,
        verb: str,
        first: dict[str, str],
        listing: _Listing,
    ) -> Iterator[Element]:
        """The `verb` element of each page of a listing, following resumption
        tokens; the listing restarts once more after `badResumptionToken`. A
        repository's error ends it (noRecordsMatch: an empty listing) or
        raises HarvestFailed, as does a page without the `verb` element."""
        params = {"verb": verb, **first}
        restarts = 0
        tokens: set[str] = set()
        for _page in range(MAX_PAGES):
            root = self._page(context, params)
            listing.started = (
                listing.started or root.findtext(f"{OAI}responseDate", "").strip()
            )
            error = root.find(f"{OAI}error")
            if error is not None:
                code = error.get("code", "")
                if code == "noRecordsMatch":
                    return
                if code == "badResumptionToken" and "resumptionToken" in params:
                    if restarts >= MAX_RESTARTS:
                        raise HarvestFailed(
                            _("The repository kept refusing its own resumption tokens.")
                        )
                    restarts += 1
                    context.error(_("Resumption token refused; listing restarted."))
                    params, tokens = {"verb": verb, **first}, set()
                    continue
                raise HarvestFailed(
                    _("The repository answered with the error %(code)s: %(text)s")
                    % {"code": code[:50], "text": (error.text or "").strip()[:300]},
                    code=code,
                )
            page = root.find(f"{OAI}{verb}")
            if page is None:
                raise HarvestFailed(
                    _("The response has no %(element)s element.") % {"element": verb},
                    code=NO_LIST_ELEMENT,
                )
            yield page
            token = page.find(f"{OAI}resumptionToken")
            value = (token.text or "").strip() if token is not None else ""
            if not value:
                return
            if value in tokens:
                raise HarvestFailed(_("The repository repeated a resumption token."))
            tokens.add(value)
            params = {"verb": verb, "resumptionToken": value}
        raise HarvestFailed(_("Too many pages; the listing was stopped."))

    def _records(
        self,
        context: HarvestContext,
        listing: _Listing,
        first: dict[str, str],
        identifiers: set[str],
        *,
        counted: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Harvest every record of a ListRecords listing, a page at a time
        (`counted`: identifiers a listing of headers counted already)."""
        for page in self._pages(context, "ListRecords", first, listing):
            with context.batch():
                for record in page.iterchildren(_RECORD):
                    self._record(context, record, identifiers, counted)

    def _changed(
        self,
        context: HarvestContext,
        first: dict[str, str],
        granularity: str,
        changed: dict[str, datetime | None],
        identifiers: set[str],
    ) -> bool:
        """Harvest the records the headers showed new or changed: listed from
        a granule before the earliest of their datestamps (a repository may
        round them, or read `from` as after), then, if some did not come
        (a `from` the repository misreads), listed from the start. Whether
        every one came; those that did not are logged, and the next harvest
        lists everything again."""
        if len(changed) >= BATCH_SIZE:
            context.expect_new_documents()
        stamps = list(changed.values())
        listings = [first]
        if None not in stamps:
            day = granularity == "YYYY-MM-DD"
            granule = timedelta(days=1) if day else timedelta(seconds=1)
            with suppress(OverflowError):
                since = oai_time(min(stamps) - granule)
                listings.insert(0, {**first, "from": _datestamp(since, granularity)})
        delivered: set[str] = set()
        for params in listings:
            self._records(context, _Listing(), params, delivered, counted=identifiers)
            missing = changed.keys() - delivered
            if not missing:
                break
        identifiers |= delivered
        for identifier in sorted(missing)[:MAX_ERRORS_KEPT]:
            context.error(
                _(
                    "Listed with a new datestamp but not delivered with the "
                    "records; the next harvest lists everything again."
                ),
                record=identifier,
            )
        return not missing

    def _headers(
        self,
        context: HarvestContext,
        listing: _Listing,
        first: dict[str, str],
        identifiers: set[str],
    ) -> dict[str, datetime | None] | None:
        """Read a complete listing of a source harvested before from its
        headers alone (ListIdentifiers, a sixth of the records' size): a
        record whose datestamp has not moved is by the protocol the same
        record, a deleted one is withdrawn, and what the listing no longer
        has is found as from a listing of records. Returns the changed and
        new records (identifier: datestamp), for a listing of their records
        from the earliest of those datestamps; None when the repository
        refuses ListIdentifiers on its first page, or says it has no record
        at all where we hold some: every record is then listed again in
        full, so that a repository's broken ListIdentifiers withdraws
        nothing."""
        changed: dict[str, datetime | None] = {}
        pages = self._pages(context, "ListIdentifiers", first, listing)
        try:
            page = next(pages, None)
        except HarvestFailed as error:
            if error.code in {"badVerb", "badArgument", NO_LIST_ELEMENT}:
                return None
            raise
        if page is None:  # noRecordsMatch
            return None
        while page is not None:
            with context.batch():
                for header in page.iterchildren(_HEADER):
                    self._header(context, header, identifiers, changed)
            page = next(pages, None)
        return changed

    def _header(
        self,
        context: HarvestContext,
        header: Element,
        identifiers: set[str],
        changed: dict[str, datetime | None],
    ) -> None:
        identifier, datestamp = _identified(context, header)
        if not identifier:
            return
        context.run.fetched += 1
        key = f"{identifier}\x00{datestamp}"
        if key in context.seen:
            return
        identifiers.add(identifier)
        if header.get("status") == "deleted":
            # (Listed as changed earlier in the listing, then deleted.)
            changed.pop(identifier, None)
            context.seen.add(key)
            context.withdraw(identifier=identifier)
            return
        stamp = parse_datestamp(datestamp)
        if context.gave_before(identifier, stamp):
            changed.pop(identifier, None)
            context.seen.add(key)
            context.run.unchanged += 1
            return
        changed[identifier] = stamp

    def _record(
        self,
        context: HarvestContext,
        record: Element,
        identifiers: set[str],
        counted: set[str] | frozenset[str],
    ) -> None:
        header, metadata = _first_children(record, _HEADER, _METADATA)
        # A record without an identifier was logged by the headers already.
        identifier, datestamp = _identified(context, header, log=not counted)
        if not identifier:
            return
        key = f"{identifier}\x00{datestamp}"
        if identifier not in counted:
            context.run.fetched += 1
        if key in context.seen:
            # The same record twice in one listing (across pages): once is enough.
            return
        context.seen.add(key)
        identifiers.add(identifier)
        if header.get("status") == "deleted":
            context.withdraw(identifier=identifier)
            return
        if metadata is None or len(metadata) == 0:
            context.error(_("The record has no metadata."), record=identifier)
            return
        stamp = parse_datestamp(datestamp)
        if context.gave_before(identifier, stamp):
            # Same datestamp as last time: by the protocol, the same record.
            context.run.unchanged += 1
            return
        fields = dublin_core_fields(metadata)
        context.document(identifier=identifier, datestamp=stamp, fields=fields)


def _identified(
    context: HarvestContext, header: Element | None, *, log: bool = True
) -> tuple[str, str]:
    """A record's identifier (capped) and datestamp from its header; a record
    without an identifier is logged as skipped, its identifier "" here."""
    if header is None:
        identifier = datestamp = ""
    else:
        identifier, datestamp = _first_texts(header, _IDENTIFIER, _DATESTAMP)
    identifier = cap(identifier, "identifier")
    if not identifier and log:
        context.error(_("A record without an identifier was skipped."), record="?")
    return identifier, datestamp.strip()


def _first_children(
    element: Element, first: str, second: str
) -> tuple[Element | None, Element | None]:
    """The first child named `first` and the first named `second`, in one walk
    of the children in C (`find` walks them in Python, once per name): a
    re-harvest reads little else of a record."""
    found_first = found_second = None
    for child in element.iterchildren(first, second):
        if child.tag == first:
            found_first = child if found_first is None else found_first
        elif found_second is None:
            found_second = child
    return found_first, found_second


def _first_texts(element: Element, first: str, second: str) -> tuple[str, str]:
    """The texts ("" if none) of the first children named `first` and `second`,
    as `findtext` gives them."""
    one, other = _first_children(element, first, second)
    return (
        "" if one is None else one.text or "",
        "" if other is None else other.text or "",
    )
