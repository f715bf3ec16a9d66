"""The library's blended search: full text, thesaurus expansion and meaning, fused.

`blended()` is what the library's page and API call. Three rankings are
fused by reciprocal rank fusion:

- full text: the library's search backend (words, per-language normalization);
- thesaurus: documents tagged with an issue that the query names by one of
  its labels or synonyms in any language ("also showing documents on Spam");
- concepts: documents tagged with the issue nearest in meaning to the query
  (the issues' prototypes: their labels in six languages and the documents
  curators confirmed), ordered by their own closeness to the query;
- meaning: the documents nearest to the query in the multilingual sentence
  encoder's space, whatever their language.

Mode "words" fuses the first two alone, "meaning" the last two. If the
encoder cannot be loaded, "blend" falls back to "words" and says why. The
weights were chosen on a separate set of tuning queries
(bench/crosslingual/tuning_queries.tsv), never on the evaluation queries.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clearinghouse.library.models import Document, DocumentIssue
from clearinghouse.taxonomy.models import Issue

from . import encoder, selectors, thesaurus
from .fusion import reciprocal_rank_fusion


class Mode:
    """How the results are found."""

    BLEND = "blend"
    WORDS = "words"
    MEANING = "meaning"
    CHOICES = (
        (BLEND, _("Words and meaning")),
        (WORDS, _("Words only")),
        (MEANING, _("Meaning only (all languages)")),
    )
    VALUES = (BLEND, WORDS, MEANING)


# How deep each ranking is read before fusion, and each ranking's weight.
DEPTH = 100
WEIGHTS = {"words": 1.0, "thesaurus": 1.0, "concepts": 2.0, "meaning": 1.0}
MAX_QUERY_CHARS = 500

logger = logging.getLogger(__name__)

FullText = Callable[[str, dict, int], list[int]]


@dataclass
class Hit:
    """One result: the document's id, its fused score, and which rankings found it."""

    id: int
    score: float
    sources: frozenset[str]


@dataclass
class Blend:
    """What a blended search found, and what the page should say about it."""

    hits: list[Hit]
    mode: str
    expanded_issues: list[Issue] = field(default_factory=list)
    semantic_error: str = ""

    @property
    def ids(self) -> list[int]:
        return [hit.id for hit in self.hits]


def backend_fulltext(q: str, filters: dict, limit: int) -> list[int]:
    """Ids ranked by the library's full-text backend (none if it is not installed)."""
    try:
        from clearinghouse.library.search import SearchRequest, get_backend
    except ImportError:
        logger.warning("semantic.fulltext.unavailable")
        return []

    result = get_backend().search(
        SearchRequest(
            q=q, filters=filters, sort="relevance", page=1, per_page=limit, facets=False
        )
    )
    return [hit.id for hit in result.hits]


def _facet_condition(facet: str, values: list[str]) -> Q | None:
    """A document's lookup for one facet's values, as the search backend reads them."""
    if facet == "region":
        return (
            Q(jurisdiction_country__region__code__in=values)
            | Q(jurisdiction_country__subregion__code__in=values)
            | Q(jurisdiction_country__intermediate_region__code__in=values)
            | Q(jurisdiction_region__code__in=values)
        )
    if facet == "jurisdiction":
        return Q(jurisdiction_country__iso2__in=values) | Q(
            jurisdiction_region__code__in=values
        )
    if facet == "year":
        return Q(date__year__in=[int(v) for v in values if v.isdigit()])
    lookup = FACET_LOOKUPS.get(facet)
    return Q(**{f"{lookup}__in": values}) if lookup else None


# The document fields behind the library's facets (region and jurisdiction,
# which read several fields, and year are in `_facet_condition`).
FACET_LOOKUPS = {
    "issue": "issue_tags__issue__slug",
    "area": "issue_tags__issue__area__slug",
    "type": "doc_type",
    "language": "language",
    "institution": "institutions__slug",
    "stakeholder_group": "institutions__stakeholder_group",
}


def _restrict(queryset, filters: dict):
    """The library's facet filters on a document queryset: every facet given
    must match (one of its values), as in the full-text search."""
    for facet, values in filters.items():
        condition = _facet_condition(facet, list(values)) if values else None
        if condition is not None:
            queryset = queryset.filter(
                pk__in=Document.objects.filter(condition).values("pk")
            )
    return queryset


def thesaurus_ids(issue_ids: list[int], filters: dict, limit: int) -> list[int]:
    """Published documents tagged with these issues: confirmed first, then by score."""
    if not issue_ids:
        return []
    tags = (
        DocumentIssue.objects.filter(
            issue_id__in=issue_ids,
            document__in=_restrict(Document.objects.published(), filters),
        )
        .order_by("-confirmed", "-score", "-document__date", "-document_id")
        .values_list("document_id", flat=True)
    )
    seen: list[int] = []
    for pk in tags[: limit * 2]:
        if pk not in seen:
            seen.append(pk)
    return seen[:limit]


def semantic_ids(vector, filters: dict, limit: int) -> list[int]:
    """Published documents nearest in meaning to a query vector."""
    matches = selectors.search_vectors(vector, limit if not filters else limit * 4)
    ids = [m.id for m in matches]
    if filters:
        allowed = set(
            _restrict(Document.objects.filter(pk__in=ids), filters).values_list(
                "pk", flat=True
            )
        )
        ids = [pk for pk in ids if pk in allowed]
    return ids[:limit]


def concept_ids(issue_ids: list[int], vector, filters: dict, limit: int) -> list[int]:
    """Published documents tagged with these issues, the closest to the query first."""
    if not issue_ids:
        return []
    tagged = list(
        _restrict(Document.objects.published(), filters)
        .filter(issue_tags__issue_id__in=issue_ids)
        .values_list("pk", flat=True)
        .distinct()[: limit * 10]
    )
    vectors = selectors.document_vectors(tagged)
    scored = sorted(
        tagged,
        key=lambda pk: (-float(vectors[pk] @ vector) if pk in vectors else 2.0, pk),
    )
    return scored[:limit]


def blended(
    *,
    q: str,
    mode: str = Mode.BLEND,
    filters: dict | None = None,
    limit: int = DEPTH,
    fulltext: FullText | None = None,
) -> Blend:
    """Search the library by words, by meaning, or both (see the module's docstring)."""
    q = (q or "").strip()[:MAX_QUERY_CHARS]
    filters = filters or {}
    mode = mode if mode in Mode.VALUES else Mode.BLEND
    fulltext = fulltext or backend_fulltext
    rankings: dict[str, list[int]] = {}
    result = Blend(hits=[], mode=mode)
    if not q:
        return result
    expanded: list[int] = []
    if mode in (Mode.BLEND, Mode.MEANING):
        try:
            vector = encoder.encode([q])[0]
        except encoder.EncoderUnavailable as error:
            result.semantic_error = str(error)
            result.mode = Mode.WORDS
        else:
            rankings["meaning"] = semantic_ids(vector, filters, limit)
            concepts = [pk for pk, _score in selectors.nearest_issues(vector)]
            if concepts:
                rankings["concepts"] = concept_ids(concepts, vector, filters, limit)
                expanded += concepts
    if result.mode in (Mode.BLEND, Mode.WORDS):
        rankings["words"] = fulltext(q, filters, limit)
        issue_ids = thesaurus.matching_issue_ids(q)
        if issue_ids:
            rankings["thesaurus"] = thesaurus_ids(issue_ids, filters, limit)
            expanded = issue_ids + [pk for pk in expanded if pk not in issue_ids]
    if expanded:
        issues = Issue.objects.in_bulk(expanded)
        result.expanded_issues = [issues[pk] for pk in expanded if pk in issues]
    names = list(rankings)
    fused = reciprocal_rank_fusion(
        [rankings[name] for name in names], weights=[WEIGHTS[name] for name in names]
    )
    found = {name: set(ids) for name, ids in rankings.items()}
    result.hits = [
        Hit(pk, score, frozenset(n for n in names if pk in found[n]))
        for pk, score in fused
    ]
    return result
