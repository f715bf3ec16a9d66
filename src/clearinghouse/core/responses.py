"""Responses every app's views share: a 400 page that says why, and downloads."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .exporters import EXPORTERS, Exporter


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
