"""Writes to institutions."""

from django.db import transaction

from clearinghouse.core.services import LoadReport, upsert

from .models import Institution


@transaction.atomic
def institution_upsert(*, slug: str, values: dict, report: LoadReport) -> Institution:
    """Create or update an institution by slug, writing only what changed."""
    return upsert(
        Institution,
        lookup={"slug": slug},
        values=values,
        report=report,
        kind="institutions",
    )


@transaction.atomic
def institution_create(**fields) -> Institution:
    """Create an institution (name and description go to the active language)."""
    institution = Institution(**fields)
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def institution_update(*, institution: Institution, **changes) -> Institution:
    """Change fields of an institution."""
    for name, value in changes.items():
        setattr(institution, name, value)
    institution.full_clean()
    institution.save()
    return institution
