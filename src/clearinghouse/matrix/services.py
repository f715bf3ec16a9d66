"""Writes to the matrix: mandates and concerns."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.services import LoadReport, upsert
from clearinghouse.taxonomy.models import Issue

from .models import Concern, Mandate, Role, RoleCode


def _roles(codes: list[str]) -> list[Role]:
    unknown = sorted(set(codes) - set(RoleCode.values))
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}}
        )
    if not codes:
        raise ValidationError({"roles": _("Give at least one role.")})
    return list(Role.objects.filter(code__in=codes))


@transaction.atomic
def mandate_create(
    *,
    institution: Institution,
    issue: Issue,
    roles: list[str],
    status: str,
    since_year: int | None = None,
    source_quote: str = "",
    source_url: str = "",
    source_title: str = "",
    note: str = "",
) -> Mandate:
    """Tie an institution to an issue in one or more roles, with its evidence."""
    role_rows = _roles(roles)
    mandate = Mandate(
        institution=institution,
        issue=issue,
        status=status,
        since_year=since_year,
        source_quote=source_quote,
        source_url=source_url,
        source_title=source_title,
        note=note,
    )
    mandate.full_clean()
    mandate.save()
    mandate.roles.set(role_rows)
    return mandate


@transaction.atomic
def mandate_update(
    *, mandate: Mandate, roles: list[str] | None = None, **changes
) -> Mandate:
    """Change a mandate's fields and, when given, its roles."""
    role_rows = _roles(roles) if roles is not None else None
    for name, value in changes.items():
        setattr(mandate, name, value)
    mandate.full_clean()
    mandate.save()
    if role_rows is not None and {r.pk for r in role_rows} != {
        r.pk for r in mandate.roles.all()
    }:
        mandate.roles.set(role_rows)
    return mandate


@transaction.atomic
def mandate_delete(*, mandate: Mandate) -> None:
    """Remove a mandate (its history stays)."""
    mandate.delete()


@transaction.atomic
def mandate_upsert(
    *,
    institution: Institution,
    issue: Issue,
    roles: list[str],
    values: dict,
    report: LoadReport,
) -> Mandate:
    """Create or update the mandate of a cell, writing only what changed."""
    role_rows = _roles(roles)
    unchanged_before = report.unchanged.get("mandates", 0)
    mandate = upsert(
        Mandate,
        lookup={"institution": institution, "issue": issue},
        values=values,
        report=report,
        kind="mandates",
    )
    if {r.pk for r in role_rows} != {r.pk for r in mandate.roles.all()}:
        mandate.roles.set(role_rows)
        if report.unchanged.get("mandates", 0) > unchanged_before:
            report.unchanged["mandates"] -= 1
            report.count("mandates", "updated")
    return mandate


@transaction.atomic
def concern_upsert(*, origin_key: str, values: dict, report: LoadReport) -> Concern:
    """Create or update a concern by its key in a dataset, writing only changes."""
    return upsert(
        Concern,
        lookup={"origin_key": origin_key},
        values=values,
        report=report,
        kind="concerns",
    )
