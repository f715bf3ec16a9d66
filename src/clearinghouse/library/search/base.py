"""What every search engine receives and returns, and the base class of backends."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .query import ParsedQuery, parse

logger = logging.getLogger(__name__)

FACET_KEYS: tuple[str, ...] = (
    "issue",
    "area",
    "type",
    "language",
    "year",
    "institution",
    "stakeholder_group",
    "region",
    "jurisdiction",
)
SORTS = ("relevance", "date")
MAX_PER_PAGE = 100
# Deepest result reachable by paging; beyond it, refine the search instead.
MAX_DEPTH = 10_000
# Facet values returned per facet, most frequent first (selected values are
# always included so that a page can show them as checked).
FACET_LIMIT = 50
# Values of one facet in a filter; more is not a human query.
MAX_FILTER_VALUES = 50
# Facet counts are exact up to this many matches (setting
# SEARCH_EXACT_FACETS_UP_TO); broader queries count a sample of about
# FACET_SAMPLE matches drawn from SAMPLE_BUCKETS fixed buckets of documents
# (`sample_bucket`), so that their cost stays that of FACET_SAMPLE matches
# however broad the query. Both engines store each document's bucket.
EXACT_FACETS_UP_TO = 20_000
FACET_SAMPLE = 10_000
SAMPLE_BUCKETS = 64


def sample_bucket(doc_id: int) -> int:
    """The document's sample bucket: the top bits of a multiplicative hash."""
    return ((doc_id * 0x9E3779B97F4A7C15) & 0xFFFF_FFFF_FFFF_FFFF) >> 58


@dataclass(frozen=True)
class IndexDoc:
    """One document as the engines index it; facets are slugs and codes."""

    id: int
    title: str
    summary: str
    body: str
    language: str
    date: date | None
    facets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SearchRequest:
    """A search: query text, facet filters (AND across keys, OR within one)."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True
    facet_limit: int = FACET_LIMIT


@dataclass(frozen=True)
class Hit:
    """One result: the document's id, its score, an HTML-safe snippet."""

    id: int
    score: float
    snippet: str


@dataclass
class SearchResult:
    """A page of hits, the total, facet counts, a hint and the terms looked for."""

    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    hint: str | None
    terms: list[str]
    # False when the facet counts are estimates (very broad queries).
    facets_exact: bool = True


class SearchBackend:
    """Base class of search backends (the engine behind `get_backend()`).

    A backend stores `IndexDoc`s and answers `SearchRequest`s. Subclasses
    implement five hooks and inherit the request handling:

    - `index(docs)`: add or replace the documents (by id); idempotent, and
      visible to searches once it returns.
    - `delete(ids)`: remove documents by id; unknown ids are ignored.
    - `clear()`: remove every document.
    - `count()`: the number of documents indexed.
    - `_search(query, request)`: run a parsed, non-empty `ParsedQuery` (or a
      blank one, meaning "every document") with the request's validated
      filters, sort and page; return the page's `(id, score)` pairs, the total
      the facet counts `{key: {value: count}}` (empty when `request.facets`
      is false) and whether those counts are exact (a backend may estimate
      them from a sample of a very large result set). The base class turns
      the pairs into hits with snippets via `_texts(ids)` — `{id: (title,
      summary, body)}` — which subclasses implement too; a backend that has
      the texts at hand anyway may return them as a fifth element instead.

    The query is rendered from the AST by the backend itself: raw user text
    never reaches an engine's parser, so that no input can raise.
    """

    name = "base"

    def __init__(self) -> None:
        from django.conf import settings

        self.facet_sample = FACET_SAMPLE
        self.exact_facets = int(
            getattr(settings, "SEARCH_EXACT_FACETS_UP_TO", EXACT_FACETS_UP_TO)
        )

    def sample_buckets(self, total: int) -> int:
        """How many sample buckets (of SAMPLE_BUCKETS) to count the facets of
        `total` matches in: all of them up to `exact_facets` matches, else
        enough for about `facet_sample` matches."""
        if total <= self.exact_facets:
            return SAMPLE_BUCKETS
        return buckets_for(total, self.facet_sample)

    def index(
        self, docs: Iterable[IndexDoc], *, commit: bool = True
    ) -> int:  # pragma: no cover
        """Add or replace documents; return how many were written. Without
        `commit`, an engine that commits its own index may keep them until
        `commit()` (one commit for many calls is much cheaper than one each);
        an engine that writes in the database's transactions ignores it."""
        raise NotImplementedError

    def commit(self) -> None:
        """Commit what `index(…, commit=False)` left waiting (if anything)."""

    def delete(self, ids: Iterable[int]) -> None:  # pragma: no cover
        """Remove documents by id."""
        raise NotImplementedError

    def clear(self) -> None:  # pragma: no cover
        """Remove every document."""
        raise NotImplementedError

    def count(self) -> int:  # pragma: no cover
        """Return the number of documents indexed."""
        raise NotImplementedError

    def _search(self, query: ParsedQuery, request: SearchRequest) -> tuple:
        raise NotImplementedError  # pragma: no cover

    def _texts(
        self, ids: list[int]
    ) -> dict[int, tuple[str, str, str]]:  # pragma: no cover
        raise NotImplementedError

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a search request; bad input yields a hint, never an exception."""
        from .snippets import make_snippet, snippet_patterns

        request = clean_request(request)
        query = parse(request.q)
        if query.matches_nothing:
            return SearchResult([], 0, {}, query.hint, [])
        found = self._search(query, request)
        pairs, total, counts, exact = found[:4]
        if len(found) > 4:  # the backend read the texts with the hits
            texts = found[4]
        else:
            texts = self._texts([doc_id for doc_id, _score in pairs]) if pairs else {}
        patterns = snippet_patterns(query)
        hits = [
            Hit(doc_id, score, make_snippet(texts.get(doc_id, ("", "", "")), patterns))
            for doc_id, score in pairs
        ]
        facets = (
            top_facets(counts, request.filters, request.facet_limit)
            if request.facets
            else {}
        )
        return SearchResult(hits, total, facets, query.hint, query.terms, exact)


def clean_request(request: SearchRequest) -> SearchRequest:
    """Bound a request: known facet keys, page and page size within limits."""
    filters = {}
    for key, values in (request.filters or {}).items():
        if key not in FACET_KEYS or not values:
            continue
        kept = [str(v)[:200] for v in values if v is not None and str(v)]
        if kept:
            filters[key] = sorted(set(kept))[:MAX_FILTER_VALUES]
    try:
        page = max(1, int(request.page))
    except (TypeError, ValueError):
        page = 1
    try:
        per_page = min(MAX_PER_PAGE, max(1, int(request.per_page)))
    except (TypeError, ValueError):
        per_page = 20
    page = min(page, MAX_DEPTH // per_page)
    sort = request.sort if request.sort in SORTS else "relevance"
    return SearchRequest(
        q=str(request.q or ""),
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        facets=bool(request.facets),
        facet_limit=max(1, int(request.facet_limit or FACET_LIMIT)),
    )


def buckets_for(total: int, sample: int) -> int:
    """How many of the SAMPLE_BUCKETS fixed buckets hold about `sample` of
    `total` matches: all of them when `sample` covers the total (or is 0)."""
    if sample <= 0 or total <= sample:
        return SAMPLE_BUCKETS
    return max(1, min(SAMPLE_BUCKETS, -(-SAMPLE_BUCKETS * sample // total)))


def scale_sampled(counts: dict[str, dict[str, int]], buckets: int) -> bool:
    """Scale facet counts taken in `buckets` sample buckets up to the whole
    (in place); return whether they are exact (every bucket counted)."""
    if buckets >= SAMPLE_BUCKETS:
        return True
    scale = SAMPLE_BUCKETS / buckets
    for values in counts.values():
        for value, n in values.items():
            values[value] = max(1, round(n * scale))
    return False


def top_facets(
    counts: dict[str, dict[str, int]], filters: dict[str, list[str]], limit: int
) -> dict[str, list[tuple[str, int]]]:
    """The most frequent values per facet, plus the selected ones."""
    out = {}
    for key in FACET_KEYS:
        values = counts.get(key, {})
        ranked = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        top = ranked[:limit]
        shown = {value for value, _n in top}
        top += [(v, values.get(v, 0)) for v in filters.get(key, []) if v not in shown]
        out[key] = top
    return out
