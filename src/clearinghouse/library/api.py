"""API router of the library: search with facet counts, and one document.

The list reads the same query string as the search page, checked by the same
code, so that an API call and a page with the same parameters agree.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from clearinghouse.api.errors import ApiError, not_found
from clearinghouse.semantic.library_search import library_page

from . import querying, selectors
from .models import Document, DocumentStatus

router = Router(tags=["library"])


class DocumentQuery(Schema):
    q: str = Field("", description='Words, "exact phrases", -excluded, OR')
    issue: list[str] = Field(default_factory=list, description="Issue slugs")
    area: list[str] = Field(default_factory=list, description="Area slugs")
    type: list[str] = Field(default_factory=list, description="Document types")
    language: list[str] = Field(default_factory=list, description="Language codes")
    year: list[str] = Field(default_factory=list, description="Years (YYYY)")
    institution: list[str] = Field(
        default_factory=list, description="Publishing institutions' slugs"
    )
    stakeholder_group: list[str] = Field(
        default_factory=list, description="Publishers' stakeholder groups"
    )
    region: list[str] = Field(default_factory=list, description="UN M49 region codes")
    jurisdiction: list[str] = Field(
        default_factory=list, description="ISO 3166-1 alpha-2 or M49 region code"
    )
    sort: str = Field("relevance", description="relevance or date")
    mode: str = Field(
        "",
        description="blend (words and meaning, every language; the default when "
        "the sentence encoder is installed), words (full text) or meaning",
    )
    page: int = Field(1, description="Page number, from 1")
    per_page: int = Field(querying.PER_PAGE, description="Results per page (≤ 100)")


class FacetCount(Schema):
    value: str
    label: str
    count: int
    selected: bool


class Hit(Schema):
    id: int
    url: str
    title: str
    doc_type: str
    date: date | None
    language: str
    score: float
    snippet: str = Field(..., description="HTML: escaped text with <mark> around terms")
    found_by: list[str] = Field(
        ..., description="words, thesaurus, concepts, meaning (blend and meaning)"
    )


class SearchResults(Schema):
    mode: str = Field(..., description="The mode used: blend, words or meaning")
    notice: str = Field(..., description="Why meaning was not used (no encoder)")
    also_showing_issues: list[dict] = Field(
        ..., description="Issues the query names or means, whose documents join"
    )
    total: int
    page: int
    per_page: int
    pages: int
    hint: str | None
    terms: list[str]
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    facets_exact: bool = Field(
        ..., description="False when the counts are estimated from a sample"
    )
    issues: list[dict]
    institutions: list[dict]


class ProvenanceOut(Schema):
    source_key: str
    source_label: str
    source_url: str
    original_identifier: str
    datestamp: datetime | None
    fetched_at: datetime
    deleted_upstream: bool


class IssueTag(Schema):
    slug: str
    name: str
    confirmed: bool


class DocumentOut(Schema):
    id: int
    url: str
    title: str
    summary: str
    authors: list[str]
    institutions: list[str]
    date: date | None
    date_precision: str
    doc_type: str
    language: str
    jurisdiction_country: str | None
    jurisdiction_region: str | None
    issues: list[IssueTag]
    events: list[int]
    web_address: str
    identifier: str
    doi: str
    licence: str
    status: str
    withdrawn_at: datetime | None
    updated_at: datetime
    provenance: list[ProvenanceOut]
    files: list[dict]


# The documents' fields a hit shows (words mode reads no others).
HIT_FIELDS = ("id", "title", "doc_type", "date", "language")


def document_urls(request: HttpRequest) -> Callable[[int], str]:
    """Documents' absolute page addresses by id, as `get_absolute_url` gives them.

    The address is reversed once per response (in the active language) and
    the id put in, instead of reversing it for each of the page's hits.
    """
    address = reverse("library:document", kwargs={"pk": 0})
    # The id is the address's last segment (tested against get_absolute_url).
    head, _zero, tail = request.build_absolute_uri(address).rpartition("/0/")
    return lambda pk: f"{head}/{pk}/{tail}"


@router.get("/documents", response=SearchResults, summary="Search the library")
def documents(request: HttpRequest, params: Query[DocumentQuery]):
    """Ranked documents with snippets, total count and facet counts."""
    query = querying.parse(request.GET)
    if not query.is_valid:
        raise ApiError(400, query.errors)
    page = library_page(query, with_institutions=False, fields=HIT_FIELDS)
    url = document_urls(request)
    # Built from our own records in the documented shape; rendered directly,
    # since validating some 500 nested objects again would cost more than
    # the search itself.
    data = {
        "mode": page.mode,
        "notice": page.notice,
        "also_showing_issues": [
            {"slug": i.slug, "name": i.name} for i in page.expanded_issues
        ],
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": page.pages,
        "hint": page.hint,
        "terms": page.terms,
        "hits": [
            {
                "id": document.pk,
                "url": url(document.pk),
                "title": document.title,
                "doc_type": document.doc_type,
                "date": document.date,
                "language": document.language,
                "score": score,
                "snippet": snippet,
                "found_by": sorted(page.found_by.get(document.pk, ())),
            }
            for document, snippet, score in page.documents
        ],
        "facets_exact": page.facets_exact,
        "facets": {
            facet: [
                {
                    "value": v.value,
                    "label": v.label,
                    "count": v.count,
                    "selected": v.selected,
                }
                for v in values
            ]
            for facet, values in page.facets.items()
        },
        "issues": [{"slug": i.slug, "name": i.name} for i in page.issues],
        "institutions": [{"slug": i.slug, "name": i.name} for i in page.institutions],
    }
    return JsonResponse(data, encoder=NinjaJSONEncoder)


@router.get("/documents/{int:document_id}", response=DocumentOut, summary="A document")
def document(request: HttpRequest, document_id: int):
    """One document with its issues, publishers and every source it came from."""
    found = selectors.document_get(pk=document_id, user=request.user)
    if found is None:
        raise not_found("document", str(document_id))
    return document_out(request, found)


def document_out(request: HttpRequest, doc: Document) -> dict:
    """The API's view of a document (relations loaded by the selector)."""
    withdrawn = doc.status == DocumentStatus.WITHDRAWN
    return {
        "id": doc.pk,
        "url": request.build_absolute_uri(doc.get_absolute_url()),
        "title": doc.title,
        "summary": "" if withdrawn else doc.summary,
        "authors": doc.authors,
        "institutions": [i.slug for i in doc.institutions.all()],
        "date": doc.date,
        "date_precision": doc.date_precision,
        "doc_type": doc.doc_type,
        "language": doc.language,
        "jurisdiction_country": (
            doc.jurisdiction_country.iso2 if doc.jurisdiction_country_id else None
        ),
        "jurisdiction_region": doc.jurisdiction_region_id,
        "issues": [
            {"slug": t.issue.slug, "name": t.issue.name, "confirmed": t.confirmed}
            for t in doc.issue_tags.all()
        ],
        "events": [event.pk for event in doc.presented_at.all()],
        "web_address": doc.url,
        "identifier": doc.identifier,
        "doi": doc.doi,
        "licence": doc.licence,
        "status": doc.status,
        "withdrawn_at": doc.withdrawn_at,
        "updated_at": doc.updated_at,
        "provenance": [
            {
                "source_key": p.source_key,
                "source_label": p.source_label,
                "source_url": p.source_url,
                "original_identifier": p.original_identifier,
                "datestamp": p.datestamp,
                "fetched_at": p.fetched_at,
                "deleted_upstream": p.deleted_upstream,
            }
            for p in doc.provenances.all()
        ],
        "files": [
            {
                "name": f.original_name,
                "media_type": f.media_type,
                "size": f.size,
                "sha256": f.sha256,
                "url": request.build_absolute_uri(
                    f"{doc.get_absolute_url()}files/{f.pk}/"
                ),
            }
            for f in doc.files.all()
        ],
    }
