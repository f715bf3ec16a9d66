"""Documents as the search backend sees them, and keeping its index in step."""

import logging
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

from .models import Document, DocumentIssue, DocumentStatus

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


def _regions(document: Document) -> list[str]:
    country = document.jurisdiction_country
    codes = []
    if country is not None:
        codes += [
            region.code
            for region in (
                country.region,
                country.subregion,
                country.intermediate_region,
            )
            if region is not None
        ]
    if document.jurisdiction_region_id:
        codes.append(document.jurisdiction_region_id)
    return sorted(set(codes))


def document_facets(document: Document) -> dict[str, list[str]]:
    """The facet values of a document: slugs and codes, never labels."""
    issues = [tag.issue for tag in document.issue_tags.all()]
    institutions = list(document.institutions.all())
    jurisdiction = []
    if document.jurisdiction_country_id:
        jurisdiction.append(document.jurisdiction_country.iso2)
    if document.jurisdiction_region_id:
        jurisdiction.append(document.jurisdiction_region_id)
    return {
        "issue": sorted({issue.slug for issue in issues}),
        "area": sorted({issue.area.slug for issue in issues}),
        "type": [document.doc_type] if document.doc_type else [],
        "language": [document.language] if document.language else [],
        "year": [str(document.date.year)] if document.date else [],
        "institution": sorted({inst.slug for inst in institutions}),
        "stakeholder_group": sorted(
            {inst.stakeholder_group for inst in institutions if inst.stakeholder_group}
        ),
        "region": _regions(document),
        "jurisdiction": jurisdiction,
    }


def index_doc(document: Document):
    """The search backend's view of a document (relations loaded as above)."""
    from .search import IndexDoc

    return IndexDoc(
        id=document.pk,
        title=document.title,
        summary=document.summary,
        body=document.body,
        language=document.language,
        date=document.date,
        facets=document_facets(document),
    )


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def index_documents(ids: Iterable[int], *, batch_size: int = 500) -> int:
    """Bring the index in step with these documents: published in, others out."""
    from .search import get_backend

    backend = get_backend()
    ids = sorted(set(ids))
    indexed = 0
    for batch in _batches(ids, batch_size):
        documents = list(indexed_documents().filter(pk__in=batch))
        public = [d for d in documents if d.status == DocumentStatus.PUBLISHED]
        gone = set(batch) - {d.pk for d in public}
        if public:
            backend.index(index_doc(d) for d in public)
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
