"""The library's search page and API, by words and meaning across languages.

`library_page()` answers a checked library search (`library.querying`) with
the page that the library's view and its API show. The mode chooses:

- "words": the library's full-text search as it is (every match counted,
  facets from the search engine, pages as deep as the engine goes);
- "blend" (the default when the sentence encoder can be loaded) and
  "meaning": `search.blended()` — the full-text ranking, thesaurus expansion,
  the issues nearest in meaning and the nearest document vectors, fused; each
  ranking is read `search.DEPTH` deep, so the page lists the best few hundred
  documents, with facet counts over them, and says how many more contain the
  words. The listed documents' facets are read as plain values (three
  queries, whatever their number); only the documents the page shows are
  loaded whole.

Without the encoder, "blend" (asked for or by default) and "meaning" fall
back to "words" and the page says why. An empty query (browsing by facets)
is always "words".
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.text import Truncator

from clearinghouse.library import indexing
from clearinghouse.library import selectors as library_selectors
from clearinghouse.library.models import Document
from clearinghouse.library.querying import FACETS, LibraryQuery

from . import encoder
from .search import DEPTH, Mode, blended

SNIPPET_CHARS = 240
FACET_LIMIT = 50


@dataclass
class DiscoveryPage(library_selectors.SearchPage):
    """A library search page, and how it was found."""

    mode: str = Mode.WORDS
    notice: str = ""  # why meaning was not used, when it was asked for
    expanded_issues: list = field(default_factory=list)
    found_by: dict[int, frozenset[str]] = field(default_factory=dict)
    # How many documents contain the words, when more than the blend lists.
    words_total: int = 0


def library_page(
    query: LibraryQuery,
    *,
    with_institutions: bool = True,
    fields: tuple[str, ...] = (),
) -> DiscoveryPage:
    """The page of a checked library search, in its mode (see the module).

    The API does not list each hit's institutions and skips loading them;
    in words mode it reads only the documents' `fields` it shows.
    """
    mode = query.mode or Mode.BLEND
    notice = ""
    if query.q and mode != Mode.WORDS:
        notice = encoder.problem()
        if not notice:
            return _blended_page(query, mode, with_institutions=with_institutions)
    page = library_selectors.search(
        query, with_institutions=with_institutions, fields=fields
    )
    return DiscoveryPage(
        **vars(page),
        mode=Mode.WORDS,
        notice=notice,
        found_by={row[0].pk: frozenset({"words"}) for row in page.documents},
    )


class _FullText:
    """The library's full-text ranking for `blended()`, kept for its snippets."""

    def __init__(self) -> None:
        self.result = None

    def __call__(self, q: str, filters: dict, limit: int) -> list[int]:
        from clearinghouse.library.search import SearchRequest, get_backend

        self.result = get_backend().search(
            SearchRequest(
                q=q,
                filters=filters,
                sort="relevance",
                page=1,
                per_page=limit,
                facets=False,
            )
        )
        return [hit.id for hit in self.result.hits]


def _blended_page(
    query: LibraryQuery, mode: str, *, with_institutions: bool
) -> DiscoveryPage:
    fulltext = _FullText()
    found = blended(
        q=query.q, mode=mode, filters=query.filters, limit=DEPTH, fulltext=fulltext
    )
    # The facets of every listed document are read as plain values; only the
    # documents the page shows are loaded whole.
    facets = indexing.published_facets(found.ids)
    hits = [hit for hit in found.hits if hit.id in facets]
    if query.sort == "date":
        days = dict(
            Document.objects.filter(pk__in=list(facets)).values_list("pk", "date")
        )
        rank = {hit.id: n for n, hit in enumerate(hits)}
        hits.sort(
            key=lambda hit: (
                -(days[hit.id].toordinal() if days.get(hit.id) else 0),
                rank[hit.id],
            )
        )
    snippets = (
        {hit.id: hit.snippet for hit in fulltext.result.hits} if fulltext.result else {}
    )
    first = (query.page - 1) * query.per_page
    shown = hits[first : first + query.per_page]
    loaded = Document.objects.published().filter(pk__in=[hit.id for hit in shown])
    if with_institutions:
        loaded = loaded.prefetch_related("institutions")
    documents = {d.pk: d for d in loaded}
    # More documents contain the words than the blend read: say how many.
    words_total = 0
    if fulltext.result and fulltext.result.total > len(fulltext.result.hits):
        words_total = fulltext.result.total
    issues, institutions = library_selectors.named_like(query.q)
    return DiscoveryPage(
        query=query,
        documents=[
            (
                documents[hit.id],
                snippets.get(hit.id) or _summary(documents[hit.id]),
                round(hit.score, 6),
            )
            for hit in shown
            if hit.id in documents
        ],
        total=len(hits),
        facets=library_selectors.label_facets(
            query,
            _facet_counts([facets[hit.id] for hit in hits], query.filters),
        ),
        hint=fulltext.result.hint if fulltext.result else None,
        terms=list(fulltext.result.terms) if fulltext.result else [],
        issues=issues,
        institutions=institutions,
        mode=found.mode,
        expanded_issues=found.expanded_issues,
        found_by={hit.id: hit.sources for hit in shown},
        words_total=words_total,
    )


def _summary(document: Document) -> str:
    """A snippet for a document found by meaning: the start of its summary."""
    text = document.summary or document.body or ""
    return escape(Truncator(" ".join(text.split())).chars(SNIPPET_CHARS))


def _facet_counts(
    listed: list[dict[str, list[str]]], filters: dict
) -> dict[str, list[tuple[str, int]]]:
    """Facet counts over the listed documents' facets, most frequent first."""
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    for document_facets in listed:
        for facet, values in document_facets.items():
            for value in values:
                counts[facet][value] = counts[facet].get(value, 0) + 1
    out = {}
    for facet in FACETS:
        ranked = sorted(counts[facet].items(), key=lambda kv: (-kv[1], kv[0]))
        top = ranked[:FACET_LIMIT]
        shown = {value for value, _n in top}
        top += [
            (v, counts[facet].get(v, 0))
            for v in filters.get(facet, [])
            if v not in shown
        ]
        out[facet] = top
    return out
