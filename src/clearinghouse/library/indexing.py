"""Documents as the search backend sees them, and keeping its index in step."""

import datetime
import logging
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from django.db.models import Prefetch, Q

from .models import Document, DocumentIssue

logger = logging.getLogger(__name__)


def indexed_documents():
    """Documents with everything their index entry needs, in few queries."""
    return Document.objects.select_related(
        "jurisdiction_country__region",
        "jurisdiction_country__subregion",
        "jurisdiction_country__intermediate_region",
        "jurisdiction_region",
    ).prefetch_related(
        Prefetch(
            "issue_tags",
            queryset=DocumentIssue.objects.select_related("issue__area"),
        ),
        "institutions",
    )


class _Facts(NamedTuple):
    """What a document's facets are made of, as plain values."""

    pk: int
    doc_type: str
    language: str
    date: datetime.date | None
    country: str  # the jurisdiction's ISO code, or ""
    country_regions: tuple[str | None, ...]  # its M49 region, subregion…
    region: str | None  # a region as jurisdiction


def _facts(document: Document) -> _Facts:
    country = document.jurisdiction_country
    return _Facts(
        document.pk,
        document.doc_type,
        document.language,
        document.date,
        country.iso2 if country is not None else "",
        (
            (country.region_id, country.subregion_id, country.intermediate_region_id)
            if country is not None
            else ()
        ),
        document.jurisdiction_region_id,
    )


def document_facets(document: Document) -> dict[str, list[str]]:
    """The facet values of a document: slugs and codes, never labels."""
    return _facets(
        _facts(document),
        issues=[(t.issue.slug, t.issue.area.slug) for t in document.issue_tags.all()],
        institutions=[
            (i.slug, i.stakeholder_group) for i in document.institutions.all()
        ],
    )


def _facets(
    facts: _Facts,
    *,
    issues: list[tuple[str, str]],
    institutions: list[tuple[str, str]],
) -> dict[str, list[str]]:
    """Facets of a document given its (issue slug, area slug) and
    (institution slug, stakeholder group) pairs."""
    return {
        "issue": sorted({slug for slug, _area in issues}),
        "area": sorted({area for _slug, area in issues}),
        "type": [facts.doc_type] if facts.doc_type else [],
        "language": [facts.language] if facts.language else [],
        "year": [str(facts.date.year)] if facts.date else [],
        "institution": sorted({slug for slug, _group in institutions}),
        "stakeholder_group": sorted({group for _slug, group in institutions if group}),
        "region": sorted(
            {code for code in (*facts.country_regions, facts.region) if code}
        ),
        "jurisdiction": [code for code in (facts.country, facts.region) if code],
    }


def index_doc(document: Document, facets: dict[str, list[str]] | None = None):
    """The search backend's view of a document (relations loaded as above,
    unless its facets are given)."""
    from .search import IndexDoc

    return IndexDoc(
        id=document.pk,
        title=document.title,
        summary=document.summary,
        body=document.body,
        language=document.language,
        date=document.date,
        facets=document_facets(document) if facets is None else facets,
    )


def _among(name: str, ids) -> Q:
    """`name__in=ids`, or, when the ids are a run without gaps (a harvest's
    new documents), the same as a range: cheaper to build and to run than a
    list of hundreds of values."""
    ids = set(ids)
    if ids and max(ids) - min(ids) + 1 == len(ids):
        return Q(**{f"{name}__gte": min(ids), f"{name}__lte": max(ids)})
    return Q(**{f"{name}__in": ids})


def _facets_of(documents: list[_Facts]) -> dict[int, dict[str, list[str]]]:
    """Facets of these documents: their issues and institutions read as plain
    values, two queries in all."""
    issues: dict[int, list] = {d.pk: [] for d in documents}
    institutions: dict[int, list] = {d.pk: [] for d in documents}
    for pk, slug, area in DocumentIssue.objects.filter(
        _among("document_id", issues)
    ).values_list("document_id", "issue__slug", "issue__area__slug"):
        issues[pk].append((slug, area))
    through = Document.institutions.through
    for pk, slug, group in through.objects.filter(
        _among("document_id", institutions)
    ).values_list("document_id", "institution__slug", "institution__stakeholder_group"):
        institutions[pk].append((slug, group))
    return {
        d.pk: _facets(d, issues=issues[d.pk], institutions=institutions[d.pk])
        for d in documents
    }


# The columns a document's facets are made of, in `_Facts` order.
_FACT_COLUMNS = (
    "pk",
    "doc_type",
    "language",
    "date",
    "jurisdiction_country__iso2",
    "jurisdiction_country__region_id",
    "jurisdiction_country__subregion_id",
    "jurisdiction_country__intermediate_region_id",
    "jurisdiction_region_id",
)


def _facts_row(row) -> _Facts:
    pk, doc_type, language, day, country, *regions, region = row
    return _Facts(pk, doc_type, language, day, country or "", regions, region)


def published_facets(ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """Facet values of the published documents among ids, by id: three
    queries of plain values, no document built."""
    rows = (
        Document.objects.published()
        .filter(pk__in=list(ids))
        .values_list(*_FACT_COLUMNS)
    )
    return _facets_of([_facts_row(row) for row in rows])


def _published_index_docs(ids: list[int]) -> list:
    """Index entries of the published documents among ids, read as plain
    values (three queries, no document or related object built)."""
    from .search import IndexDoc

    rows = list(
        Document.objects.published()
        .filter(_among("pk", ids))
        .values_list("title", "summary", "body", *_FACT_COLUMNS)
    )
    facets = _facets_of([_facts_row(row[3:]) for row in rows])
    return [
        IndexDoc(
            id=pk,
            title=title,
            summary=summary,
            body=body,
            language=language,
            date=day,
            facets=facets[pk],
        )
        for title, summary, body, pk, _type, language, day, *_rest in rows
    ]


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def index_documents(
    ids: Iterable[int], *, batch_size: int = 500, commit: bool = True
) -> int:
    """Bring the index in step with these documents: published in, others out.

    Without `commit`, the engine may keep what is added until its `commit()`
    (see `SearchBackend.index`)."""
    from .search import get_backend

    backend = get_backend()
    ids = sorted(set(ids))
    indexed = 0
    for batch in _batches(ids, batch_size):
        public = _published_index_docs(batch)
        gone = set(batch) - {entry.id for entry in public}
        if public:
            backend.index(public, commit=commit)
            indexed += len(public)
        if gone:
            backend.delete(sorted(gone))
    return indexed


def index_documents_safely(ids: Iterable[int]) -> None:
    """Index after a commit; a failure is logged, never lost data (reindex repairs)."""
    ids = list(ids)
    try:
        index_documents(ids)
    except Exception:
        logger.exception("library.index.failed", extra={"document_ids": ids[:50]})


def reindex_all(*, batch_size: int = 1000, progress=None) -> int:
    """Rebuild the index: clear it, then add published documents in pk order.

    `progress(done, total)` is called after each batch. Batches are read by
    primary key ranges (keyset), so each costs the same however far along.
    """
    from .search import get_backend

    backend = get_backend()
    published = Document.objects.published()
    total = published.count()
    backend.clear()
    done = 0
    last = 0
    while True:
        batch = list(
            indexed_documents()
            .published()
            .filter(pk__gt=last)
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        backend.index(index_doc(document) for document in batch)
        done += len(batch)
        last = batch[-1].pk
        if progress is not None:
            progress(done, total)
    return done
