"""Documents as the search backend sees them, and keeping its index in step."""

import logging
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

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
    return _facets(
        document,
        issues=[(t.issue.slug, t.issue.area.slug) for t in document.issue_tags.all()],
        institutions=[
            (i.slug, i.stakeholder_group) for i in document.institutions.all()
        ],
    )


def _facets(
    document: Document,
    *,
    issues: list[tuple[str, str]],
    institutions: list[tuple[str, str]],
) -> dict[str, list[str]]:
    """Facets of a document given its (issue slug, area slug) and
    (institution slug, stakeholder group) pairs."""
    jurisdiction = []
    if document.jurisdiction_country_id:
        jurisdiction.append(document.jurisdiction_country.iso2)
    if document.jurisdiction_region_id:
        jurisdiction.append(document.jurisdiction_region_id)
    return {
        "issue": sorted({slug for slug, _area in issues}),
        "area": sorted({area for _slug, area in issues}),
        "type": [document.doc_type] if document.doc_type else [],
        "language": [document.language] if document.language else [],
        "year": [str(document.date.year)] if document.date else [],
        "institution": sorted({slug for slug, _group in institutions}),
        "stakeholder_group": sorted({group for _slug, group in institutions if group}),
        "region": _regions(document),
        "jurisdiction": jurisdiction,
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


def _published_index_docs(ids: list[int]) -> list:
    """Index entries of the published documents among ids: their relations
    are read as plain values (three queries, no related objects built)."""
    documents = list(
        Document.objects.published()
        .select_related(
            "jurisdiction_country__region",
            "jurisdiction_country__subregion",
            "jurisdiction_country__intermediate_region",
        )
        .filter(pk__in=ids)
    )
    issues: dict[int, list] = {d.pk: [] for d in documents}
    institutions: dict[int, list] = {d.pk: [] for d in documents}
    for pk, slug, area in DocumentIssue.objects.filter(
        document_id__in=issues
    ).values_list("document_id", "issue__slug", "issue__area__slug"):
        issues[pk].append((slug, area))
    through = Document.institutions.through
    for pk, slug, group in through.objects.filter(
        document_id__in=institutions
    ).values_list("document_id", "institution__slug", "institution__stakeholder_group"):
        institutions[pk].append((slug, group))
    return [
        index_doc(d, _facets(d, issues=issues[d.pk], institutions=institutions[d.pk]))
        for d in documents
    ]


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
        public = _published_index_docs(batch)
        gone = set(batch) - {entry.id for entry in public}
        if public:
            backend.index(public)
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
