"""API router: focal-point requests and institutions' API tokens.

Tokens are managed from a signed-in session (with its CSRF token), never with
a token: a leaked token cannot mint others.
"""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from clearinghouse.actors.models import Institution
from clearinghouse.actors.services import focal_point_request
from clearinghouse.api.errors import ApiError, not_found, write_errors
from clearinghouse.api.schemas import Detail
from clearinghouse.core.accounts import is_secretariat, is_verified

from . import services
from .models import ApiToken
from .permissions import require_can_edit

router = Router(tags=["access"])


class FocalPointIn(Schema):
    institution: str = Field(..., max_length=80, description="Institution slug")
    statement: str = Field("", max_length=2000)


class FocalPointOut(Schema):
    institution: str
    status: str


class TokenIn(Schema):
    institution: str = Field(..., max_length=80, description="Institution slug")
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(Schema):
    prefix: str
    name: str
    institution: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(..., description="The secret: shown this once, never again")


def _institution(slug: str) -> Institution:
    institution = Institution.objects.filter(slug=slug).first()
    if institution is None:
        raise ApiError(
            400, [_("Unknown institution “%(institution)s”.") % {"institution": slug}]
        )
    return institution


def _token_out(token: ApiToken) -> dict:
    return {
        "prefix": token.prefix,
        "name": token.name,
        "institution": token.institution.slug,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
    }


@router.post(
    "/focal-points",
    response={201: FocalPointOut, 400: Detail, 401: Detail, 403: Detail},
    auth=django_auth,
)
def request_focal_point(request, data: FocalPointIn):
    """Ask to act for an institution (verified participants); the secretariat
    approves."""
    if not is_verified(request.user):
        raise ApiError(403, [_("Verify your e-mail address first.")])
    institution = _institution(data.institution)
    with write_errors(_("You have asked for this already.")):
        focal_point = focal_point_request(
            user=request.user, institution=institution, statement=data.statement
        )
    return Status(201, {"institution": institution.slug, "status": focal_point.status})


@router.get("/tokens", response={200: list[TokenOut], 401: Detail}, auth=django_auth)
def list_tokens(request):
    """The tokens the signed-in user manages: all for the secretariat, else those
    of the institutions the user is a focal point of."""
    tokens = ApiToken.objects.select_related("institution")
    if not is_secretariat(request.user):
        tokens = tokens.filter(
            institution__focal_points__user=request.user,
            institution__focal_points__status="approved",
        )
    return [_token_out(token) for token in tokens]


@router.post(
    "/tokens",
    response={201: NewTokenOut, 400: Detail, 401: Detail, 403: Detail},
    auth=django_auth,
)
def create_token(request, data: TokenIn):
    """Create a token for an institution; the answer holds its secret, once."""
    institution = _institution(data.institution)
    require_can_edit(request, institution)
    with write_errors(_("Try again.")):
        token, secret = services.api_token_create(
            institution=institution,
            name=data.name,
            expires_at=data.expires_at,
            by=request.user,
            request=request,
        )
    return Status(201, {**_token_out(token), "token": secret})


@router.delete(
    "/tokens/{prefix}",
    response={204: None, 401: Detail, 403: Detail, 404: Detail},
    auth=django_auth,
)
def revoke_token(request, prefix: str):
    """Revoke a token at once."""
    token = ApiToken.objects.select_related("institution").filter(prefix=prefix).first()
    if token is None:
        raise not_found(_("API token"), prefix)
    require_can_edit(request, token.institution)
    services.api_token_revoke(token=token, by=request.user, request=request)
    return Status(204, None)
