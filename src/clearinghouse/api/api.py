"""One NinjaAPI at /api/v1/, assembled from each app's router."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from clearinghouse.actors.api import router as actors_router
from clearinghouse.events.api import router as events_router
from clearinghouse.federation.api import router as federation_router
from clearinghouse.library.api import router as library_router
from clearinghouse.matrix.api import router as matrix_router
from clearinghouse.roadmap.api import router as roadmap_router
from clearinghouse.taxonomy.api import router as taxonomy_router

from .errors import ApiError

api = NinjaAPI(
    title="Internet Governance Clearinghouse API",
    version="1",
    urls_namespace="api",
    description=(
        "The issue–institution matrix, its gaps, the taxonomy and the institutions. "
        "Reads are public. Writes need a signed-in secretariat session and the "
        'CSRF token (X-CSRFToken header). Errors answer {"detail": [messages]} '
        "in the language of the Accept-Language header."
    ),
)
api.add_router("", taxonomy_router)
api.add_router("", actors_router)
api.add_router("", matrix_router)
api.add_router("", events_router)
api.add_router("", roadmap_router)
api.add_router("", federation_router)
api.add_router("", library_router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.messages}, status=exc.status_code
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:])
        messages.append(f"{where}: {error.get('msg', '')}" if where else error["msg"])
    return api.create_response(request, {"detail": messages}, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": [_("Sign in as the secretariat to change records.")]},
        status=401,
    )
