"""One NinjaAPI at /api/v1/, assembled from each app's router."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from clearinghouse.actors.api import router as actors_router
from clearinghouse.consultations.api import router as consultations_router
from clearinghouse.core.responses import NOT_FOUND_MESSAGE
from clearinghouse.events.api import router as events_router
from clearinghouse.federation.api import router as federation_router
from clearinghouse.filters.api import router as filters_router
from clearinghouse.library.api import router as library_router
from clearinghouse.matrix.api import router as matrix_router
from clearinghouse.roadmap.api import router as roadmap_router
from clearinghouse.security.api import router as security_router
from clearinghouse.semantic.api import router as semantic_router
from clearinghouse.taxonomy.api import router as taxonomy_router

from .errors import ApiError, parameter_messages


def _detail_response(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}
        },
    }


class ClearinghouseAPI(NinjaAPI):
    """The API, whose document also lists the answers every operation can give:
    400 for a request refused before it is read (a NUL character anywhere, a
    meaningless search query), 404 where the path names a record (a path
    segment of the wrong type included: see core.views.page_not_found), 422
    for parameters or a body of the wrong type, 401/403 where it writes."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                if any(p.get("in") == "path" for p in operation.get("parameters", ())):
                    # A path names a record, which may not exist.
                    responses.setdefault("404", _detail_response("Not found"))
                # A NUL character in the query string or the body (which any
                # request may carry) is refused before the operation runs, as
                # is a search query that cannot mean anything.
                responses.setdefault("400", _detail_response("Bad request"))
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(
                        "422", _detail_response("Parameters or body not valid")
                    )
                if operation.get("security"):
                    responses.setdefault("401", _detail_response("Not signed in"))
                    responses.setdefault("403", _detail_response("Not allowed"))
        return schema


api = ClearinghouseAPI(
    title="Internet Governance Clearinghouse API",
    version="1",
    urls_namespace="api",
    description=(
        "The issue–institution matrix, its gaps, the taxonomy and the institutions. "
        "Reads are public. Writes need a signed-in session and its CSRF token "
        "(X-CSRFToken header), or an institution's API token "
        "(Authorization: Bearer …) for that institution's records. "
        'Errors answer {"detail": [messages]} '
        "in the language of the Accept-Language header."
    ),
)
api.add_router("", taxonomy_router)
api.add_router("", actors_router)
api.add_router("", matrix_router)
api.add_router("", events_router)
api.add_router("", roadmap_router)
api.add_router("", filters_router)
api.add_router("", library_router)
api.add_router("", consultations_router)
api.add_router("", federation_router)
api.add_router("", security_router)
api.add_router("", semantic_router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.messages}, status=exc.status_code
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": parameter_messages(exc.errors)}, status=422
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """A record looked up with get_object_or_404, in our shape."""
    return api.create_response(request, {"detail": [NOT_FOUND_MESSAGE]}, status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Errors raised by django-ninja itself (a failed CSRF check), in our shape."""
    message = str(exc)
    if exc.status_code == 400 and message == "Cannot parse request body":
        message = _("The body is not valid JSON.")
    elif exc.status_code == 403 and "CSRF" in message:
        message = _(
            "The CSRF check failed: send the csrftoken cookie's value in the "
            "X-CSRFToken header, or use an API token."
        )
    return api.create_response(request, {"detail": [message]}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": [_("Sign in as the secretariat to change records.")]},
        status=401,
    )
