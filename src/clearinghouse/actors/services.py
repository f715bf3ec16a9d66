"""Writes to institutions."""

from django.db import transaction
from django.utils import timezone

from clearinghouse.core.services import LoadReport, upsert

from .models import FocalPoint, FocalPointStatus, Institution


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


@transaction.atomic
def focal_point_request(*, user, institution: Institution, statement: str = ""):
    """A user asks to act for an institution; the secretariat decides.

    Asking again after a revocation reopens the request.
    """
    focal_point = FocalPoint.objects.filter(user=user, institution=institution).first()
    if focal_point is None:
        focal_point = FocalPoint(user=user, institution=institution)
    elif focal_point.status == FocalPointStatus.APPROVED:
        return focal_point
    focal_point.status = FocalPointStatus.REQUESTED
    focal_point.statement = statement
    focal_point.decided_at = None
    focal_point.decided_by = None
    focal_point.full_clean()
    focal_point.save()
    return focal_point


@transaction.atomic
def focal_point_approve(*, focal_point: FocalPoint, by, request=None) -> FocalPoint:
    """The secretariat approves a focal point."""
    from clearinghouse.security.services import audit_record

    focal_point.status = FocalPointStatus.APPROVED
    focal_point.decided_at = timezone.now()
    focal_point.decided_by = by
    focal_point.full_clean()
    focal_point.save()
    audit_record(
        actor=by, action="focal_point.approve", target=focal_point, request=request
    )
    return focal_point


@transaction.atomic
def focal_point_revoke(*, focal_point: FocalPoint, by, request=None) -> FocalPoint:
    """The secretariat revokes a focal point, and the API tokens it created."""
    from clearinghouse.security.services import api_token_revoke, audit_record

    focal_point.status = FocalPointStatus.REVOKED
    focal_point.decided_at = timezone.now()
    focal_point.decided_by = by
    focal_point.full_clean()
    focal_point.save()
    audit_record(
        actor=by, action="focal_point.revoke", target=focal_point, request=request
    )
    for token in focal_point.institution.api_tokens.filter(
        created_by=focal_point.user, revoked_at__isnull=True
    ):
        api_token_revoke(token=token, by=by, request=request)
    return focal_point
