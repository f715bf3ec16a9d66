"""The tables behind the matrix and gap exports: columns and one dict per row."""

from django.utils.translation import gettext_lazy as _

from clearinghouse.core.exporters import Column

from .selectors import Gaps, Matrix

MATRIX_COLUMNS = [
    Column("area", _("Area")),
    Column("issue", _("Issue (identifier)")),
    Column("issue_name", _("Issue")),
    Column("institution", _("Institution (identifier)")),
    Column("institution_name", _("Institution")),
    Column("acronym", _("Acronym")),
    Column("stakeholder_group", _("Stakeholder group")),
    Column("roles", _("Roles")),
    Column("status", _("Status")),
    Column("since_year", _("Since")),
    Column("concerns", _("Concerns")),
]


def matrix_rows(matrix: Matrix) -> list[dict]:
    """One row per filled cell, in the page's order."""
    area_slugs = {block.area.pk: block.area.slug for block in matrix.blocks}
    return [
        {
            "area": area_slugs[entry.issue.area_id],
            "issue": entry.issue.slug,
            "issue_name": entry.issue.name,
            "institution": entry.institution.slug,
            "institution_name": entry.institution.name,
            "acronym": entry.institution.acronym,
            "stakeholder_group": entry.institution.stakeholder_group,
            "roles": entry.roles,
            "status": entry.status,
            "since_year": entry.since_year,
            "concerns": entry.concerns,
        }
        for entry in matrix.entries
    ]


GAP_COLUMNS = {
    "no_home": [
        Column("area", _("Area")),
        Column("issue", _("Issue (identifier)")),
        Column("issue_name", _("Issue")),
    ],
    "single_group": [
        Column("area", _("Area")),
        Column("issue", _("Issue (identifier)")),
        Column("issue_name", _("Issue")),
        Column("stakeholder_group", _("Stakeholder group")),
        Column("institutions", _("Institutions")),
    ],
    "duplication": [
        Column("area", _("Area")),
        Column("issue", _("Issue (identifier)")),
        Column("issue_name", _("Issue")),
        Column("role", _("Role")),
        Column("institutions", _("Institutions")),
    ],
}


def gap_rows(gaps: Gaps, kind: str) -> list[dict]:
    """The rows of one gap list."""
    if kind == "no_home":
        return [
            {"area": issue.area.slug, "issue": issue.slug, "issue_name": issue.name}
            for issue in gaps.no_home
        ]
    if kind == "single_group":
        return [
            {
                "area": item.issue.area.slug,
                "issue": item.issue.slug,
                "issue_name": item.issue.name,
                "stakeholder_group": item.group,
                "institutions": [i.slug for i in item.institutions],
            }
            for item in gaps.single_group
        ]
    return [
        {
            "area": item.issue.area.slug,
            "issue": item.issue.slug,
            "issue_name": item.issue.name,
            "role": item.role,
            "institutions": [i.slug for i in item.institutions],
        }
        for item in gaps.duplication
    ]
