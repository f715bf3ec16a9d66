"""robots.txt, the source archive and the error pages, in the visitor's language."""

import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .responses import (
    BUSY_MESSAGE,
    NOT_FOUND_MESSAGE,
    SERVER_ERROR_MESSAGE,
    is_api_request,
    json_error,
)
from .source import ARCHIVE_NAME, source_archive


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Allow crawling of public pages; keep crawlers out of the admin and exports."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /*/matrix/export/",
        "Disallow: /*/matrix/gaps/export/",
        "Disallow: /*/roadmap/export/",
        "Disallow: /*/proposals/export/",
        "Disallow: /*/events/import/",
        "",
        "Sitemap: "
        + request.build_absolute_uri(reverse("django.contrib.sitemaps.views.sitemap")),
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def source_code(request: HttpRequest) -> HttpResponse:
    """The source code of this installation, as the AGPL asks (section 13).

    The archive is about a megabyte: it is read whole, so that no file stays
    open if the client goes away before the end.
    """
    return HttpResponse(
        source_archive().read_bytes(),
        content_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{ARCHIVE_NAME}"'},
    )


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, {"home_url": reverse("home")}, status=status)


# Seconds a client is asked to wait when the database is busy.
BUSY_RETRY_AFTER = 5


def _database_busy() -> bool:
    """Whether the error being handled is the database refusing for now: a
    lock it waited for too long (SQLite's "database is locked"), or no
    connection to be had. Its transaction was rolled back: a retry is safe."""
    error = sys.exc_info()[1]
    return isinstance(error, OperationalError)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: the request could not be understood."""
    if is_api_request(request):
        return json_error(400, [str(exception)])
    return render(request, "errors/400.html", {"errors": [str(exception)]}, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: nothing here. Under /api/ (a path no operation matches, such as
    a record's number that is not a number) the answer is JSON in the API's
    documented error shape, never this site's HTML page."""
    if is_api_request(request):
        return json_error(404, [NOT_FOUND_MESSAGE])
    return _error(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """500: our fault; the page says so without details.

    503 instead when the database was too busy (see `_database_busy`), with
    Retry-After: the request may be sent again as it was.
    """
    if _database_busy():
        if is_api_request(request):
            response = json_error(503, [BUSY_MESSAGE])
        else:
            response = render(request, "errors/503.html", status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    if is_api_request(request):
        return json_error(500, [SERVER_ERROR_MESSAGE])
    return _error(request, 500, "errors/500.html")
