"""Reads of the matrix: the grid, its rows for export, the gap lists and counts.

Each function runs a fixed number of queries, whatever the size of the matrix.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import get_language

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import StakeholderGroup
from clearinghouse.taxonomy.models import Area, Issue

from .filters import MatrixFilters
from .models import Concern, Mandate, MandateStatus, RoleCode


@dataclass(slots=True)
class AreaItem:
    """An area as the matrix shows it."""

    pk: int
    slug: str
    name: str


@dataclass(slots=True)
class IssueItem:
    """An issue as the matrix shows it: a row heading."""

    pk: int
    slug: str
    name: str
    area_id: int
    url: str


@dataclass(slots=True)
class InstitutionItem:
    """An institution as the matrix shows it: a column heading."""

    pk: int
    slug: str
    name: str
    acronym: str
    stakeholder_group: str
    url: str

    @property
    def short_name(self) -> str:
        """The acronym where there is one, else the name."""
        return self.acronym or self.name


@dataclass(slots=True)
class Entry:
    """One mandate as the matrix shows it: a filled cell."""

    mandate_id: int
    issue: IssueItem
    institution: InstitutionItem
    status: str
    since_year: int | None
    roles: list[str]
    concerns: int = 0


@dataclass
class IssueRow:
    """An issue and its filled cells, in column order."""

    issue: IssueItem
    entries: list[Entry] = field(default_factory=list)
    concerns: int = 0


@dataclass
class AreaBlock:
    """An area and its issue rows."""

    area: AreaItem
    rows: list[IssueRow] = field(default_factory=list)


@dataclass
class Matrix:
    """The filtered matrix: rows grouped by area, columns grouped by group."""

    filters: MatrixFilters
    blocks: list[AreaBlock]
    institutions: list[InstitutionItem]
    entries: list[Entry]

    @property
    def groups(self) -> list[tuple[str, str, list[InstitutionItem]]]:
        """Column groups: (code, label, institutions) for groups that have any."""
        by_group: dict[str, list[InstitutionItem]] = defaultdict(list)
        for institution in self.institutions:
            by_group[institution.stakeholder_group].append(institution)
        return [
            (code, label, by_group[code])
            for code, label in StakeholderGroup.choices
            if by_group.get(code)
        ]

    @property
    def rows(self) -> list[IssueRow]:
        """Every issue row, in order."""
        return [row for block in self.blocks for row in block.rows]


def _name_columns(field_name: str) -> tuple[str, ...]:
    """The column of the active language, then the fallback (English) column.

    Reading plain columns and applying the fallback here is several times
    faster than model instances with translated-field descriptors, which
    matters at 20,000 cells.
    """
    language = (get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    if f"{language.replace('_', '-')}" not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    local, english = (
        f"{field_name}_{language}",
        f"{field_name}_{settings.LANGUAGE_CODE}",
    )
    return (local,) if local == english else (local, english)


def _first(*values: str) -> str:
    """The first non-empty value: the translation, else the fallback."""
    return next(filter(None, values), "")


def _url_maker(name: str) -> Callable[[str], str]:
    head, tail = reverse(name, kwargs={"slug": "SLUG"}).split("SLUG", 1)
    return lambda slug: f"{head}{slug}{tail}"


def _row_headings(
    issue_qs, names: tuple[str, ...]
) -> tuple[dict[int, AreaItem], list[IssueItem]]:
    """The areas and issues that head the matrix's rows, in order (two queries)."""
    issue_url = _url_maker("taxonomy:issue")
    areas = {
        row[0]: AreaItem(pk=row[0], slug=row[1], name=_first(*row[2:]))
        for row in Area.objects.filter(pk__in=issue_qs.values("area_id")).values_list(
            "pk", "slug", *names
        )
    }
    issues = [
        IssueItem(
            pk=row[0],
            slug=row[1],
            area_id=row[2],
            name=_first(*row[3:]),
            url=issue_url(row[1]),
        )
        for row in issue_qs.order_by("area__order", "area__slug", "slug").values_list(
            "pk", "slug", "area_id", *names
        )
    ]
    return areas, issues


def matrix_build(*, filters: MatrixFilters) -> Matrix:
    """The matrix for these filters: every issue of the chosen areas as a row,
    and every mandate that passes the filters as a filled cell.

    Five queries whatever the size: areas, issues, mandates with their roles,
    institutions, concern counts.
    """
    names = _name_columns("name")
    institution_url = _url_maker("actors:institution")
    issue_qs = filters.apply_to_issues(Issue.objects.all())
    areas, issues = _row_headings(issue_qs, names)
    mandates = filters.apply_to_mandates(Mandate.objects.all())
    # One row per mandate and role (LEFT JOIN): cheaper than two queries.
    mandate_rows = mandates.order_by().values_list(
        "id", "issue_id", "institution_id", "status", "since_year", "roles__code"
    )
    institutions = {
        row[0]: InstitutionItem(
            pk=row[0],
            slug=row[1],
            acronym=row[2],
            stakeholder_group=row[3],
            name=_first(*row[4:]),
            url=institution_url(row[1]),
        )
        for row in Institution.objects.filter(
            pk__in=mandates.values("institution_id")
        ).values_list("pk", "slug", "acronym", "stakeholder_group", *names)
    }
    concern_counts: dict[int, int] = defaultdict(int)
    issue_concerns: dict[int, int] = defaultdict(int)
    for mandate_id, issue_id in Concern.objects.filter(
        Q(mandate_id__in=mandates.values("id")) | Q(issue_id__in=issue_qs.values("id"))
    ).values_list("mandate_id", "issue_id"):
        if mandate_id:
            concern_counts[mandate_id] += 1
        if issue_id:
            issue_concerns[issue_id] += 1

    issue_by_pk = {issue.pk: issue for issue in issues}
    entries_by_id: dict[int, Entry] = {}
    codes_by_id: dict[int, list[str]] = defaultdict(list)
    for mandate_id, issue_id, institution_id, status, since_year, code in mandate_rows:
        if code:
            codes_by_id[mandate_id].append(code)
        if mandate_id in entries_by_id:
            continue
        issue = issue_by_pk.get(issue_id)
        if issue is None:
            continue
        entries_by_id[mandate_id] = Entry(
            mandate_id=mandate_id,
            issue=issue,
            institution=institutions[institution_id],
            status=status,
            since_year=since_year,
            roles=[],
            concerns=concern_counts.get(mandate_id, 0),
        )
    # Entries with the same roles share one list, so rendering can cache by it.
    role_order = {code: index for index, code in enumerate(RoleCode.values)}
    role_lists: dict[tuple[str, ...], list[str]] = {}
    ordered_institutions = sorted(institutions.values(), key=_column_key)
    column = {item.pk: index for index, item in enumerate(ordered_institutions)}
    by_issue: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries_by_id.values():
        codes = tuple(codes_by_id.get(entry.mandate_id, ()))
        roles = role_lists.get(codes)
        if roles is None:
            roles = role_lists[codes] = sorted(codes, key=role_order.__getitem__)
        entry.roles = roles
        by_issue[entry.issue.pk].append(entry)

    blocks: list[AreaBlock] = []
    entries: list[Entry] = []
    for issue in issues:
        if not blocks or blocks[-1].area.pk != issue.area_id:
            blocks.append(AreaBlock(area=areas[issue.area_id]))
        row_entries = sorted(
            by_issue.get(issue.pk, ()), key=lambda e: column[e.institution.pk]
        )
        blocks[-1].rows.append(
            IssueRow(
                issue=issue,
                entries=row_entries,
                concerns=issue_concerns.get(issue.pk, 0),
            )
        )
        entries.extend(row_entries)
    return Matrix(
        filters=filters,
        blocks=blocks,
        institutions=ordered_institutions,
        entries=entries,
    )


def _translated(field_name: str) -> list[str]:
    return [
        f"{field_name}_{code.replace('-', '_')}" for code, _name in settings.LANGUAGES
    ]


_GROUP_ORDER = {code: index for index, code in enumerate(StakeholderGroup.values)}


def _column_key(institution) -> tuple[int, str]:
    return (_GROUP_ORDER.get(institution.stakeholder_group, 99), institution.slug)


@dataclass
class Duplication:
    """Three or more institutions in the same role on one issue."""

    issue: Issue
    role: str
    institutions: list[Institution]

    @property
    def role_label(self) -> str:
        """The role's name in the active language."""
        return str(RoleCode(self.role).label)


@dataclass
class SingleGroup:
    """An issue whose active mandates all sit with one stakeholder group."""

    issue: Issue
    group: str
    institutions: list[Institution]

    @property
    def group_label(self) -> str:
        """The group's name in the active language."""
        return str(StakeholderGroup(self.group).label)


@dataclass
class Gaps:
    """The three gap lists of the matrix."""

    no_home: list[Issue]
    single_group: list[SingleGroup]
    duplication: list[Duplication]


DUPLICATION_THRESHOLD = 3


def gaps_build(*, filters: MatrixFilters) -> Gaps:
    """Gaps among active mandates that pass the filters (status is not a filter)."""
    issues = {
        issue.pk: issue
        for issue in filters.apply_to_issues(Issue.objects.all())
        .select_related("area")
        .order_by("area__order", "area__slug", "slug")
    }
    active = filters.apply_to_mandates(
        Mandate.objects.filter(status=MandateStatus.ACTIVE), statuses=False
    )
    pairs = list(
        active.order_by().values_list(
            "issue_id", "institution_id", "institution__stakeholder_group"
        )
    )
    institutions = {
        institution.pk: institution
        for institution in Institution.objects.filter(
            pk__in=active.values("institution_id")
        ).only("slug", "name", "acronym", "stakeholder_group", *_translated("name"))
    }
    groups_by_issue: dict[int, set[str]] = defaultdict(set)
    institutions_by_issue: dict[int, list[int]] = defaultdict(list)
    for issue_id, institution_id, group in pairs:
        groups_by_issue[issue_id].add(group)
        institutions_by_issue[issue_id].append(institution_id)

    no_home = [issue for pk, issue in issues.items() if pk not in groups_by_issue]
    single_group = [
        SingleGroup(
            issue=issue,
            group=next(iter(groups_by_issue[pk])),
            institutions=sorted(
                (institutions[i] for i in institutions_by_issue[pk]),
                key=_column_key,
            ),
        )
        for pk, issue in issues.items()
        if len(groups_by_issue.get(pk, ())) == 1
    ]

    shared = defaultdict(list)
    for issue_id, role, institution_id in (
        Mandate.roles.through.objects.filter(mandate_id__in=active.values("id"))
        .values_list("mandate__issue_id", "role_id", "mandate__institution_id")
        .order_by("mandate__issue_id", "role_id")
    ):
        shared[(issue_id, role)].append(institution_id)
    role_order = {code: index for index, code in enumerate(RoleCode.values)}
    issue_order = {pk: index for index, pk in enumerate(issues)}
    duplication = [
        Duplication(
            issue=issues[issue_id],
            role=role,
            institutions=sorted((institutions[i] for i in ids), key=_column_key),
        )
        for (issue_id, role), ids in sorted(
            shared.items(),
            key=lambda item: (issue_order.get(item[0][0], 0), role_order[item[0][1]]),
        )
        if len(ids) >= DUPLICATION_THRESHOLD and issue_id in issues
    ]
    return Gaps(no_home=no_home, single_group=single_group, duplication=duplication)


def gap_counts() -> dict[str, int]:
    """Counts for the front page: active mandates and issues with no home."""
    return {
        "mandates": Mandate.objects.filter(status=MandateStatus.ACTIVE).count(),
        "homeless": Issue.objects.annotate(
            active=Count("mandates", filter=Q(mandates__status=MandateStatus.ACTIVE))
        )
        .filter(active=0)
        .count(),
    }


def cell_mandate(*, issue_slug: str, institution_slug: str) -> Mandate | None:
    """One mandate with what its page shows, or None."""
    return (
        Mandate.objects.select_related("issue", "issue__area", "institution")
        .prefetch_related("roles", "concerns")
        .filter(issue__slug=issue_slug, institution__slug=institution_slug)
        .first()
    )


@dataclass(slots=True)
class GroupCell:
    """What one stakeholder group does on one issue, in the summary matrix."""

    institutions: int = 0
    active: int = 0
    roles: dict[str, int] = field(default_factory=dict)


@dataclass
class SummaryRow:
    """An issue and one cell per stakeholder group."""

    issue: IssueItem
    cells: list[GroupCell]

    @property
    def empty(self) -> bool:
        """Whether no institution in the filtered matrix addresses the issue."""
        return not any(cell.institutions for cell in self.cells)


@dataclass
class SummaryBlock:
    """An area and its summary rows."""

    area: AreaItem
    rows: list[SummaryRow] = field(default_factory=list)


@dataclass
class SummaryMatrix:
    """The matrix with one column per stakeholder group, counted in the database.

    Used when too many institutions match to give each its own column: the
    page then stays small and fast whatever the number of mandates.
    """

    filters: MatrixFilters
    groups: list[tuple[str, str, int]]
    blocks: list[SummaryBlock]
    mandates: int
    institutions: int

    @property
    def rows(self) -> list[SummaryRow]:
        """Every issue row, in order."""
        return [row for block in self.blocks for row in block.rows]


def matrix_institution_count(*, filters: MatrixFilters) -> int:
    """How many institutions have a mandate that passes the filters."""
    mandates = filters.apply_to_mandates(Mandate.objects.all())
    return mandates.order_by().values("institution_id").distinct().count()


def matrix_summary(*, filters: MatrixFilters) -> SummaryMatrix:
    """Counts of institutions and roles per issue and stakeholder group."""
    issue_qs = filters.apply_to_issues(Issue.objects.all())
    mandates = filters.apply_to_mandates(Mandate.objects.all())
    areas, issues = _row_headings(issue_qs, _name_columns("name"))
    # Counted here from two flat reads: SQLite's GROUP BY over the joined
    # tables costs twice as much (docs/decisions/0001-matrix-summary.md).
    group_of = dict(
        Institution.objects.filter(pk__in=mandates.values("institution_id"))
        .order_by()
        .values_list("pk", "stakeholder_group")
    )
    cell_of: dict[int, tuple[int, str]] = {}
    counts: dict[tuple[int, str], list[int]] = {}
    members: dict[str, set[int]] = defaultdict(set)
    active_status = MandateStatus.ACTIVE
    for mandate_id, issue_id, institution_id, status in mandates.order_by().values_list(
        "id", "issue_id", "institution_id", "status"
    ):
        group = group_of[institution_id]
        key = (issue_id, group)
        cell_of[mandate_id] = key
        tally = counts.get(key)
        if tally is None:
            tally = counts[key] = [0, 0]
        tally[0] += 1
        if status == active_status:
            tally[1] += 1
        members[group].add(institution_id)
    role_counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for mandate_id, role in (
        Mandate.roles.through.objects.filter(mandate_id__in=mandates.values("id"))
        .order_by()
        .values_list("mandate_id", "role_id")
    ):
        key = cell_of.get(mandate_id)
        if key is not None:
            tallies = role_counts[key]
            tallies[role] = tallies.get(role, 0) + 1
    groups = [
        (code, str(label), len(members[code]))
        for code, label in StakeholderGroup.choices
        if members.get(code)
    ]
    column = {code: index for index, (code, _label, _n) in enumerate(groups)}
    cells: dict[int, list[GroupCell]] = {}
    total = 0
    for (issue_id, group), (count, active) in counts.items():
        row = cells.setdefault(issue_id, [GroupCell() for _ in groups])
        row[column[group]] = GroupCell(
            institutions=count, active=active, roles=role_counts[(issue_id, group)]
        )
        total += count
    blocks: list[SummaryBlock] = []
    for issue in issues:
        if not blocks or blocks[-1].area.pk != issue.area_id:
            blocks.append(SummaryBlock(area=areas[issue.area_id]))
        blocks[-1].rows.append(
            SummaryRow(
                issue=issue,
                cells=cells.get(issue.pk) or [GroupCell() for _ in groups],
            )
        )
    return SummaryMatrix(
        filters=filters,
        groups=groups,
        blocks=blocks,
        mandates=total,
        institutions=sum(n for _code, _label, n in groups),
    )


def matrix_version() -> str:
    """A fingerprint that changes whenever anything the matrix shows changes.

    Read from the tables themselves (counts, last change times, the newest
    role row), so that every process agrees on it and no write path, bulk
    load or admin action can leave a cached matrix stale.
    """
    parts = []
    for model in (Area, Issue, Institution, Mandate, Concern):
        stats = model.objects.order_by().aggregate(
            n=Count("id"), last=Max("updated_at")
        )
        parts.append(f"{stats['n']}:{stats['last']}")
    roles = Mandate.roles.through.objects.order_by().aggregate(
        n=Count("id"), last=Max("id")
    )
    parts.append(f"{roles['n']}:{roles['last']}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


SUMMARY_CACHE_SECONDS = 3600


def matrix_summary_cached(*, filters: MatrixFilters) -> SummaryMatrix:
    """matrix_summary(), cached per data version, language and filters."""
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:16]
    key = f"matrix-summary:{matrix_version()}:{get_language()}:{digest}"
    summary = cache.get(key)
    if summary is None:
        summary = matrix_summary(filters=filters)
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary
