"""API router of cross-lingual discovery: blended search and similar documents."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from clearinghouse.api.errors import ApiError
from clearinghouse.library.models import Document

from . import encoder, selectors
from .search import MAX_QUERY_CHARS, Mode, blended

router = Router(tags=["discovery"])
MAX_LIMIT = 100


class DiscoverQuery(Schema):
    q: str = Field("", max_length=MAX_QUERY_CHARS, description="Words, any language")
    mode: str = Field(Mode.BLEND, description="blend, words or meaning")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


class FoundDocument(Schema):
    id: int
    title: str
    language: str
    url: str
    score: float
    found_by: list[str] = Field(description="words, thesaurus, concepts, meaning")


class IssueRef(Schema):
    slug: str
    name: str


class DiscoverResults(Schema):
    mode: str
    also_showing_issues: list[IssueRef]
    semantic_error: str
    results: list[FoundDocument]


def _row(document: Document, score: float, sources) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "language": document.language,
        "url": document.get_absolute_url(),
        "score": round(score, 6),
        "found_by": sorted(sources),
    }


@router.get("discover", response=DiscoverResults, url_name="discover")
def discover(request: HttpRequest, query: Query[DiscoverQuery]):
    """The library searched by words, by meaning across languages, or both."""
    if query.mode not in Mode.VALUES:
        raise ApiError(400, [_("Unknown mode: choose blend, words or meaning.")])
    result = blended(q=query.q, mode=query.mode)
    hits = result.hits[: query.limit]
    documents = Document.objects.published().in_bulk([hit.id for hit in hits])
    return {
        "mode": result.mode,
        "also_showing_issues": [
            {"slug": issue.slug, "name": issue.name} for issue in result.expanded_issues
        ],
        "semantic_error": result.semantic_error,
        "results": [
            _row(documents[hit.id], hit.score, hit.sources)
            for hit in hits
            if hit.id in documents
        ],
    }


@router.get(
    "documents/{int:pk}/similar", response=list[FoundDocument], url_name="similar"
)
def similar(request: HttpRequest, pk: int, limit: int = Query(10, ge=1, le=MAX_LIMIT)):
    """Published documents closest in meaning to one, in every language."""
    document = Document.objects.published().filter(pk=pk).first()
    if document is None:
        raise ApiError(404, [_("There is no document with this number.")])
    try:
        found = selectors.more_like_this(document, k=limit)
    except encoder.EncoderUnavailable as error:
        raise ApiError(503, [str(error)]) from error
    return [_row(other, score, {"meaning"}) for other, score in found]
