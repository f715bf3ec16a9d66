"""Reads of institutions."""

from django.db.models import Count, Q, QuerySet

from clearinghouse.matrix.models import Mandate, MandateStatus

from .models import Institution


def institution_list() -> QuerySet:
    """Institutions with their country and their count of active mandates."""
    return (
        Institution.objects.with_country()
        .annotate(
            active_mandates=Count(
                "mandates", filter=Q(mandates__status=MandateStatus.ACTIVE)
            )
        )
        .order_by("stakeholder_group", "slug")
    )


def institution_detail(*, slug: str) -> Institution | None:
    """One institution with its country loaded."""
    return Institution.objects.with_country().filter(slug=slug).first()


def institution_mandates(institution: Institution) -> list[Mandate]:
    """Its mandates, by area then issue, with roles loaded."""
    return list(
        Mandate.objects.filter(institution=institution)
        .select_related("issue", "issue__area")
        .prefetch_related("roles")
        .order_by("issue__area__order", "issue__area__slug", "issue__slug")
    )
