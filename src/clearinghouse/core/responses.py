"""Responses every app's views share: a 400 page that says why, downloads,
and the JSON errors the API answers outside django-ninja."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exporters import EXPORTERS, Exporter

API_PREFIX = "/api/"
NOT_FOUND_MESSAGE = gettext_lazy(
    "There is nothing at this address. It may have moved, or the link may be mistyped."
)
SERVER_ERROR_MESSAGE = gettext_lazy(
    "Something went wrong on our side. The error has been logged; "
    "please try again later."
)
BUSY_MESSAGE = gettext_lazy(
    "The site is too busy to answer this request just now. "
    "Please try again in a few seconds."
)


def is_api_request(request: HttpRequest) -> bool:
    """Whether the request is addressed to the API, which answers only JSON."""
    return request.path.startswith(API_PREFIX)


def json_error(status: int, messages: list) -> JsonResponse:
    """An error in the API's documented shape, {"detail": [messages]}, for
    answers given outside django-ninja (Django's error handlers, middleware)."""
    return JsonResponse({"detail": [str(m) for m in messages]}, status=status)


def bad_request(
    request: HttpRequest, errors: list[str], status: int = 400
) -> HttpResponse:
    """A page in the visitor's language listing what is wrong with the request."""
    return render(request, "errors/400.html", {"errors": errors}, status=status)


def download(body: bytes, *, exporter: Exporter, name: str) -> HttpResponse:
    """An attachment named `name` with the exporter's extension and type."""
    response = HttpResponse(body, content_type=exporter.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}.{exporter.extension}"'
    )
    return response


def exporter_or_error(
    request: HttpRequest, fmt: str
) -> tuple[Exporter | None, HttpResponse | None]:
    """The exporter for `fmt`, or a 400 that lists the formats there are."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        choices = ", ".join(sorted(EXPORTERS))
        return None, bad_request(
            request,
            [
                _("Unknown export format “%(format)s”. Choose one of: %(choices)s.")
                % {"format": fmt[:20], "choices": choices}
            ],
        )
    return exporter, None
