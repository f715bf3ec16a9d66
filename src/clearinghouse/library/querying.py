"""A library search as a query string: read, checked, and turned into a request.

The page, the API and saved searches' feeds share this, so that a link, an
API call and a feed with the same query string mean the same search.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clearinghouse.core.languages import LANGUAGE_CODES
from clearinghouse.core.models import StakeholderGroup

from .models import DocumentType

FACETS = (
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
FACET_LABELS = {
    "issue": gettext_lazy("Issue"),
    "area": gettext_lazy("Area"),
    "type": gettext_lazy("Type"),
    "language": gettext_lazy("Language"),
    "year": gettext_lazy("Year"),
    "institution": gettext_lazy("Publishing institution"),
    "stakeholder_group": gettext_lazy("Stakeholder group"),
    "region": gettext_lazy("Region"),
    "jurisdiction": gettext_lazy("Jurisdiction"),
}
SORTS = ("relevance", "date")
# How words are matched: by words and meaning fused, by words alone, by
# meaning alone (clearinghouse.semantic); empty is the default, the blend
# when the sentence encoder is installed and full text otherwise.
MODES = ("blend", "words", "meaning")
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 500
# The deepest result the engines page to (refine the search beyond it).
MAX_DEPTH = 10_000
MAX_QUERY = 1000
MAX_VALUES = 20

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
_VALID = {
    "issue": _SLUG.match,
    "area": _SLUG.match,
    "institution": _SLUG.match,
    "type": lambda v: v in DocumentType.values,
    "language": lambda v: v in LANGUAGE_CODES,
    "year": re.compile(r"^[0-9]{4}$").match,
    "stakeholder_group": lambda v: v in StakeholderGroup.values,
    "region": re.compile(r"^[0-9]{3}$").match,
    "jurisdiction": re.compile(r"^([A-Z]{2}|[0-9]{3})$").match,
}


@dataclass
class LibraryQuery:
    """A checked search: words, filters per facet, sort and page."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    mode: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def request(self, *, facets: bool = True):
        """The search backend's request for this search."""
        from .search import SearchRequest

        return SearchRequest(
            q=self.q,
            filters={k: list(v) for k, v in self.filters.items() if v},
            sort=self.sort,
            page=self.page,
            per_page=self.per_page,
            facets=facets,
        )

    def pairs(self, *, page: bool = False) -> list[tuple[str, str]]:
        """The query string's pairs (without the page unless asked)."""
        pairs = [("q", self.q)] if self.q else []
        pairs += [(k, v) for k in FACETS for v in self.filters.get(k, [])]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.mode:
            pairs.append(("mode", self.mode))
        if page and self.page != 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def query_string(self) -> str:
        """This search's query string (first page)."""
        return urlencode(self.pairs())

    def page_query(self, page: int) -> str:
        """This search's query string on another page."""
        return urlencode([*self.pairs(), ("page", str(page))])

    def with_value(self, facet: str, value: str) -> str:
        """The query string with a facet value toggled (page back to the first)."""
        filters = {k: list(v) for k, v in self.filters.items()}
        values = filters.setdefault(facet, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        other = LibraryQuery(q=self.q, filters=filters, sort=self.sort, mode=self.mode)
        return urlencode(other.pairs())

    def is_empty(self) -> bool:
        return not self.q.strip() and not any(self.filters.values())


def _number(raw: str | None, *, name: str, default: int, low: int, high: int, errors):
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors.append(
            _("%(name)s: give a whole number from %(low)s to %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
        return default
    return int(raw)


def parse(params: QueryDict | dict) -> LibraryQuery:
    """A search from query-string parameters; `errors` says what is wrong."""
    get_list = (
        params.getlist
        if hasattr(params, "getlist")
        else (lambda key: [v for v in [params.get(key)] if v is not None])
    )
    errors: list[str] = []
    q = (params.get("q") or "").replace("\x00", " ")
    if len(q) > MAX_QUERY:
        errors.append(
            _("The search is too long: at most %(limit)s characters.")
            % {"limit": MAX_QUERY}
        )
        q = q[:MAX_QUERY]
    filters: dict[str, list[str]] = {}
    for facet in FACETS:
        values = [v for v in get_list(facet) if v != ""]
        if len(values) > MAX_VALUES:
            errors.append(
                _("%(facet)s: at most %(count)s values.")
                % {"facet": FACET_LABELS[facet], "count": MAX_VALUES}
            )
            values = values[:MAX_VALUES]
        bad = [v for v in values if not _VALID[facet](v)]
        if bad:
            errors.append(
                _("%(facet)s: “%(value)s” is not a valid value.")
                % {"facet": FACET_LABELS[facet], "value": bad[0][:40]}
            )
        kept = []
        for value in values:
            if _VALID[facet](value) and value not in kept:
                kept.append(value)
        if kept:
            filters[facet] = kept
    sort = params.get("sort") or "relevance"
    if sort not in SORTS:
        errors.append(_("Sort by relevance or by date."))
        sort = "relevance"
    mode = params.get("mode") or ""
    if mode not in ("", *MODES):
        errors.append(_("Unknown mode: choose blend, words or meaning."))
        mode = ""
    page = _number(
        params.get("page"),
        name=_("Page"),
        default=1,
        low=1,
        high=MAX_PAGE,
        errors=errors,
    )
    per_page = _number(
        params.get("per_page"),
        name=_("Results per page"),
        default=PER_PAGE,
        low=1,
        high=MAX_PER_PAGE,
        errors=errors,
    )
    return LibraryQuery(
        q=q.strip(),
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        mode=mode,
        errors=errors,
    )
