"""Who may change which record: the secretariat everything, a focal point (or
its institution's API token) the records of its own institution.

The institutions a record belongs to decide: an institution's own record, its
mandates, and the events it organizes. Any other record is curated by the
secretariat alone.
"""

from django.utils.translation import gettext as _

from clearinghouse.actors.models import Institution
from clearinghouse.api.errors import ApiError
from clearinghouse.core.accounts import is_focal_point_of, is_secretariat

from .models import ApiToken


def institutions_of(obj) -> list[Institution] | None:
    """The institutions whose focal points may edit `obj`; None if none may."""
    from clearinghouse.events.models import Event
    from clearinghouse.matrix.models import Mandate

    if isinstance(obj, Institution):
        return [obj]
    if isinstance(obj, Mandate):
        return [obj.institution]
    if isinstance(obj, Event):
        return list(obj.organizers.all()) if obj.pk else []
    return None


def request_token(request) -> ApiToken | None:
    """The API token a request was authenticated with, if any."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def request_actor(request):
    """Who acts: the API token, else the signed-in user."""
    return request_token(request) or request.user


def can_edit(*, user=None, token: ApiToken | None = None, obj=None, institutions=None):
    """Whether the user or token may change `obj` (or records of `institutions`)."""
    if token is None and user is not None and is_secretariat(user):
        return True
    if institutions is None:
        institutions = institutions_of(obj) if obj is not None else None
    if not institutions:
        return False
    if token is not None:
        return token.is_usable and any(
            token.institution_id == institution.pk for institution in institutions
        )
    return user is not None and any(
        is_focal_point_of(user, institution) for institution in institutions
    )


def require_can_edit(request, obj=None, *, institutions=None) -> None:
    """403 unless whoever sent the request may change `obj`.

    For a record being created, pass the `institutions` it will belong to
    (an empty list or None: only the secretariat may create it).
    """
    token = request_token(request)
    user = None if token is not None else request.user
    if not can_edit(user=user, token=token, obj=obj, institutions=institutions):
        raise ApiError(
            403,
            [
                _(
                    "Only the secretariat, or a focal point of the institution "
                    "concerned, may change this record."
                )
            ],
        )
