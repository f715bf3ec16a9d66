"""Reads of the matrix: the grid, its rows for export, the gap lists and counts.

Each function runs a fixed number of queries, whatever the size of the matrix.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import StakeholderGroup
from clearinghouse.taxonomy.models import Area, Issue

from .filters import MatrixFilters
from .models import Concern, Mandate, MandateStatus, RoleCode


@dataclass
class Entry:
    """One mandate as the matrix shows it: a filled cell."""

    mandate_id: int
    issue: Issue
    institution: Institution
    status: str
    since_year: int | None
    roles: list[str] = field(default_factory=list)
    concerns: int = 0


@dataclass
class IssueRow:
    """An issue and its filled cells, in column order."""

    issue: Issue
    entries: list[Entry] = field(default_factory=list)
    concerns: int = 0


@dataclass
class AreaBlock:
    """An area and its issue rows."""

    area: Area
    rows: list[IssueRow] = field(default_factory=list)


@dataclass
class Matrix:
    """The filtered matrix: rows grouped by area, columns grouped by group."""

    filters: MatrixFilters
    blocks: list[AreaBlock]
    institutions: list[Institution]
    entries: list[Entry]

    @property
    def groups(self) -> list[tuple[str, str, list[Institution]]]:
        """Column groups: (code, label, institutions) for groups that have any."""
        by_group: dict[str, list[Institution]] = defaultdict(list)
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


def matrix_build(*, filters: MatrixFilters) -> Matrix:
    """The matrix for these filters: every issue of the chosen areas as a row,
    and every mandate that passes the filters as a filled cell."""
    issues = list(
        filters.apply_to_issues(Issue.objects.all())
        .select_related("area")
        .order_by("area__order", "area__slug", "slug")
    )
    mandates = filters.apply_to_mandates(Mandate.objects.all())
    mandate_rows = list(
        mandates.order_by().values_list(
            "id", "issue_id", "institution_id", "status", "since_year"
        )
    )
    roles: dict[int, list[str]] = defaultdict(list)
    for mandate_id, role in (
        Mandate.roles.through.objects.filter(mandate_id__in=mandates.values("id"))
        .order_by("role_id")
        .values_list("mandate_id", "role_id")
    ):
        roles[mandate_id].append(role)
    role_order = {code: index for index, code in enumerate(RoleCode.values)}
    institutions = {
        institution.pk: institution
        for institution in Institution.objects.filter(
            pk__in=mandates.values("institution_id")
        ).only("slug", "name", "acronym", "stakeholder_group", *_translated("name"))
    }
    concern_counts = dict(
        Concern.objects.filter(mandate_id__in=mandates.values("id"))
        .values("mandate_id")
        .annotate(n=Count("id"))
        .values_list("mandate_id", "n")
    )
    issue_concerns = dict(
        Concern.objects.filter(issue_id__in=[issue.pk for issue in issues])
        .values("issue_id")
        .annotate(n=Count("id"))
        .values_list("issue_id", "n")
    )

    column_order = {
        pk: index
        for index, pk in enumerate(
            sorted(institutions, key=lambda pk: _column_key(institutions[pk]))
        )
    }
    by_issue: dict[int, list[Entry]] = defaultdict(list)
    issue_by_pk = {issue.pk: issue for issue in issues}
    for mandate_id, issue_id, institution_id, status, since_year in mandate_rows:
        issue = issue_by_pk.get(issue_id)
        if issue is None:
            continue
        by_issue[issue_id].append(
            Entry(
                mandate_id=mandate_id,
                issue=issue,
                institution=institutions[institution_id],
                status=status,
                since_year=since_year,
                roles=sorted(roles.get(mandate_id, []), key=role_order.__getitem__),
                concerns=concern_counts.get(mandate_id, 0),
            )
        )
    blocks: list[AreaBlock] = []
    entries: list[Entry] = []
    for issue in issues:
        if not blocks or blocks[-1].area.pk != issue.area_id:
            blocks.append(AreaBlock(area=issue.area))
        row_entries = sorted(
            by_issue.get(issue.pk, []),
            key=lambda entry: column_order[entry.institution.pk],
        )
        blocks[-1].rows.append(
            IssueRow(
                issue=issue,
                entries=row_entries,
                concerns=issue_concerns.get(issue.pk, 0),
            )
        )
        entries.extend(row_entries)
    ordered_institutions = sorted(institutions.values(), key=_column_key)
    return Matrix(
        filters=filters,
        blocks=blocks,
        institutions=ordered_institutions,
        entries=entries,
    )


def _translated(field_name: str) -> list[str]:
    from django.conf import settings

    return [
        f"{field_name}_{code.replace('-', '_')}" for code, _name in settings.LANGUAGES
    ]


_GROUP_ORDER = {code: index for index, code in enumerate(StakeholderGroup.values)}


def _column_key(institution: Institution) -> tuple[int, str]:
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
