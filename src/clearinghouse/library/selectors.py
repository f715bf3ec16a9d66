"""Reads of the library: a document's page, its neighbours, lists for other pages."""

import functools
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from clearinghouse.actors.models import Institution
from clearinghouse.core.accounts import is_secretariat
from clearinghouse.core.languages import LANGUAGE_CODES, field_suffix
from clearinghouse.core.models import Country, Region, StakeholderGroup
from clearinghouse.events.models import Event
from clearinghouse.taxonomy.models import Area, Issue, Synonym

from .models import Document, DocumentIssue, DocumentStatus, DocumentType
from .querying import FACETS, MAX_DEPTH, MAX_PAGE, LibraryQuery

RELATED_LIMIT = 10
LIST_LIMIT = 50


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "jurisdiction_country", "jurisdiction_region", "submitted_by"
    ).prefetch_related(
        Prefetch(
            "issue_tags",
            queryset=DocumentIssue.objects.select_related("issue__area"),
        ),
        "institutions",
        "provenances",
        "files",
        Prefetch("presented_at", queryset=Event.objects.order_by("-start", "pk")),
    )


def documents_listed() -> QuerySet:
    """Published and withdrawn documents with everything the API shows of them."""
    return _with_relations(
        Document.objects.filter(
            status__in=[DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN]
        )
    )


def document_visible_to(user) -> Q:
    """Which documents a person may open: published and withdrawn ones, their own."""
    visible = Q(status__in=[DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN])
    if is_secretariat(user):
        return Q()
    if user.is_authenticated:
        visible |= Q(submitted_by=user)
    return visible


def document_get(*, pk: int, user) -> Document | None:
    """A document with everything its page shows, if this person may see it."""
    return (
        _with_relations(Document.objects.filter(document_visible_to(user)))
        .filter(pk=pk)
        .first()
    )


def document_related(*, document: Document, limit: int = RELATED_LIMIT) -> list:
    """Published documents sharing the most issues with this one."""
    issue_ids = [tag.issue_id for tag in document.issue_tags.all()]
    if not issue_ids:
        return []
    return list(
        Document.objects.published()
        .exclude(pk=document.pk)
        .filter(issue_tags__issue_id__in=issue_ids)
        .annotate(
            shared=Count("issue_tags", filter=Q(issue_tags__issue_id__in=issue_ids))
        )
        .order_by("-shared", "-date", "-pk")[:limit]
    )


def documents_for_issue(*, issue: Issue, limit: int = LIST_LIMIT) -> list[Document]:
    """Published documents tagged with an issue, newest first."""
    return list(
        Document.objects.published()
        .filter(issue_tags__issue=issue)
        .order_by("-date", "-pk")[:limit]
    )


def documents_for_institution(
    *, institution: Institution, limit: int = LIST_LIMIT
) -> list[Document]:
    """Published documents an institution published, newest first."""
    return list(
        Document.objects.published()
        .filter(institutions=institution)
        .order_by("-date", "-pk")[:limit]
    )


def review_queue() -> QuerySet:
    """Submissions waiting for the secretariat."""
    return Document.objects.awaiting_review().select_related("submitted_by")


@dataclass
class FacetValue:
    """One value of a facet on the search page: its label, count and link."""

    value: str
    label: str
    count: int
    selected: bool
    facet: str
    query: LibraryQuery = field(repr=False)

    @property
    def toggle(self) -> str:
        """The query string with this value toggled (built when a page asks)."""
        return self.query.with_value(self.facet, self.value)


@dataclass
class SearchPage:
    """A page of search results with everything the page and the API show."""

    query: LibraryQuery
    documents: list  # (Document, snippet, score)
    total: int
    facets: dict[str, list[FacetValue]]
    hint: str | None
    terms: list[str]
    issues: list = field(default_factory=list)
    institutions: list = field(default_factory=list)
    # False when the engine estimated the counts (very broad searches).
    facets_exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def start(self) -> int:
        """The number of the first result on this page."""
        return (self.query.page - 1) * self.query.per_page + 1

    @property
    def has_next(self) -> bool:
        # The engines page at most MAX_DEPTH results deep.
        deepest = min(MAX_PAGE, MAX_DEPTH // self.query.per_page)
        return self.query.page < min(self.pages, deepest)

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1


# Labels of reference records (issues, areas, institutions, regions,
# countries) by facet value, per language: read once and kept LABEL_TTL
# seconds, cleared in this process when one of those records is saved or
# deleted (other processes see a renamed label within LABEL_TTL).
LABEL_TTL = 60.0
_LABEL_SOURCES = {
    "issue": ((Issue, "slug"),),
    "area": ((Area, "slug"),),
    "institution": ((Institution, "slug"),),
    "region": ((Region, "code"), (Country, "iso2")),
    "jurisdiction": ((Region, "code"), (Country, "iso2")),
}
_label_cache: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
_label_lock = threading.Lock()


def clear_label_cache(**_kwargs) -> None:
    """Forget cached labels (connected to the reference records' signals)."""
    with _label_lock:
        _label_cache.clear()


for _model in (Issue, Area, Institution, Region, Country):
    post_save.connect(clear_label_cache, sender=_model, dispatch_uid=f"labels-{_model}")
    post_delete.connect(
        clear_label_cache, sender=_model, dispatch_uid=f"labels-del-{_model}"
    )


def _record_labels(facet: str, values: list[str]) -> dict[str, str]:
    """Labels of reference records, from the cache; unknown values looked up."""
    key = (facet, get_language() or "")
    now = time.monotonic()
    with _label_lock:
        expires, labels = _label_cache.get(key, (0.0, {}))
        if expires < now:
            expires, labels = now + LABEL_TTL, {}
            _label_cache[key] = (expires, labels)
        missing = [v for v in values if v not in labels]
    if missing:
        found = {v: v for v in missing}  # remembered as unknown, too
        for model, field_name in _LABEL_SOURCES[facet]:
            found |= {
                value: name
                for value, name in model.objects.filter(
                    **{f"{field_name}__in": missing}
                ).values_list(field_name, "name")
            }
        with _label_lock:
            labels.update(found)
    return {v: labels.get(v, v) for v in values}


def _labels(facet: str, values: list[str]) -> dict[str, str]:
    """Labels, in the active language, for a facet's values (slugs and codes)."""
    if facet in _LABEL_SOURCES:
        return _record_labels(facet, values)
    if facet in _CHOICES:
        return _choice_labels(facet, get_language())
    if facet == "language":
        names = dict(settings.LANGUAGES)
        return {v: str(names[v]) for v in values if v in names}
    return {v: v for v in values}


_CHOICES = {"type": DocumentType, "stakeholder_group": StakeholderGroup}


@functools.lru_cache(maxsize=64)
def _choice_labels(facet: str, language: str | None) -> dict[str, str]:
    """The labels of a closed list's values in the active language (fixed in code)."""
    return {value: str(label) for value, label in _CHOICES[facet].choices}


def label_facets(
    query: LibraryQuery, facets: dict[str, list[tuple[str, int]]]
) -> dict[str, list[FacetValue]]:
    """The backend's facet counts with labels, selection and toggle links.

    A selected value the backend no longer counts still shows, so that it
    can be removed.
    """
    labelled = {}
    for facet in FACETS:
        counts = list(facets.get(facet, []))
        counted = {value for value, _count in counts}
        counts += [(v, 0) for v in query.filters.get(facet, []) if v not in counted]
        if not counts:
            continue
        labels = _labels(facet, [value for value, _count in counts])
        labelled[facet] = [
            FacetValue(
                value=value,
                label=str(labels.get(value, value)),
                count=count,
                selected=value in query.filters.get(facet, []),
                facet=facet,
                query=query,
            )
            for value, count in counts
        ]
    return labelled


def _name_terms(q: str) -> str:
    """The words of a query, without its operators, to look for names."""
    return " ".join(
        word.strip('"()')
        for word in q.split()
        if word not in ("OR", "AND", "NOT") and not word.startswith("-")
    ).strip()[:200]


# Names of issues (in every language, and their synonyms) and institutions
# (names and acronyms), casefolded, kept per process: every search looks
# for issues and institutions named like its words, and matching a few
# thousand names in memory costs far less than the queries. The names are
# read again when the tables' fingerprint (row counts, highest ids, latest
# change) differs from the one they were read at, or after NAMES_TTL.
NAMES_TTL = 300.0
_names: dict[str, tuple[float, tuple, list]] = {}
_names_lock = threading.Lock()


def _fingerprint() -> tuple:
    """A cheap summary of the named tables that changes when their rows do."""
    issue, synonym, institution = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (Issue, Synonym, Institution)
    )
    # Table names from the models' metadata, quoted; no input reaches the SQL.
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {issue}), (SELECT MAX(id) FROM {issue}),"  # noqa: S608
        f" (SELECT MAX(updated_at) FROM {issue}),"
        f" (SELECT COUNT(*) FROM {synonym}), (SELECT MAX(id) FROM {synonym}),"
        f" (SELECT SUM(LENGTH(label)) FROM {synonym}),"
        f" (SELECT COUNT(*) FROM {institution}), (SELECT MAX(id) FROM {institution}),"
        f" (SELECT MAX(updated_at) FROM {institution})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _read_names() -> dict[str, list]:
    """[(pk, casefolded names, casefolded acronym)] of issues and institutions."""
    columns = ["name", *(f"name_{field_suffix(code)}" for code in LANGUAGE_CODES)]
    issues: dict[int, set[str]] = {}
    for pk, *names in Issue.objects.values_list("pk", *columns):
        issues[pk] = {n.casefold() for n in names if n}
    for pk, label in Synonym.objects.values_list("issue_id", "label"):
        issues.setdefault(pk, set()).add(label.casefold())
    institutions = [
        (pk, {n.casefold() for n in names if n}, (acronym or "").casefold())
        for pk, acronym, *names in Institution.objects.values_list(
            "pk", "acronym", *columns
        )
    ]
    return {
        "issue": [(pk, names, "") for pk, names in issues.items()],
        "institution": institutions,
    }


def _current_names() -> dict[str, list]:
    """The cached names, read again when the tables changed or NAMES_TTL passed."""
    now = time.monotonic()
    fingerprint = _fingerprint()
    with _names_lock:
        expires, seen, names = _names.get("all", (0.0, None, None))
    if names is None or expires < now or seen != fingerprint:
        names = _read_names()
        with _names_lock:
            _names["all"] = (now + NAMES_TTL, fingerprint, names)
    return names


def named_like(q: str, *, limit: int = 10) -> tuple[list[Issue], list[Institution]]:
    """Issues (whose name in any language, or a synonym, contains the words) and
    institutions (whose name or acronym does): one check of the names per search."""
    words = _name_terms(q)
    if len(words) < 2:
        return [], []
    names, needle = _current_names(), words.casefold()
    keys = {
        kind: [
            pk
            for pk, haystack, acronym in names[kind]
            if needle == acronym or any(needle in name for name in haystack)
        ]
        for kind in ("issue", "institution")
    }
    issues = keys["issue"] and list(
        Issue.objects.with_area().filter(pk__in=keys["issue"])[:limit]
    )
    institutions = keys["institution"] and list(
        Institution.objects.filter(pk__in=keys["institution"])[:limit]
    )
    return issues or [], institutions or []


def search(
    query: LibraryQuery,
    *,
    with_names: bool = True,
    with_institutions: bool = True,
    fields: tuple[str, ...] = (),
) -> SearchPage:
    """Run a checked search on the active backend; documents loaded in one query.

    The page lists each hit's institutions; the API does not, and skips them.
    """
    from .search import get_backend

    result = get_backend().search(query.request())
    ids = [hit.id for hit in result.hits]
    found = Document.objects.published().filter(pk__in=ids)
    if with_institutions:
        found = found.prefetch_related("institutions")
    if fields:  # a caller that shows only these leaves the long texts unread
        found = found.only(*fields)
    documents = {d.pk: d for d in found}
    rows = [
        (documents[hit.id], hit.snippet, hit.score)
        for hit in result.hits
        if hit.id in documents
    ]
    issues, institutions = named_like(query.q) if with_names else ([], [])
    return SearchPage(
        query=query,
        documents=rows,
        total=result.total,
        facets=label_facets(query, result.facets),
        facets_exact=result.facets_exact,
        hint=result.hint,
        terms=list(result.terms),
        issues=issues,
        institutions=institutions,
    )
