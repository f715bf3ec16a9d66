"""Request screening shared by every page and endpoint."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from .responses import is_api_request, json_error

# NUL is never meaningful in a URL, a query or a JSON body, and PostgreSQL
# refuses it in text; refusing it here keeps it away from every query.
_NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")


class RefuseNulMiddleware:
    """Answer 400 to a request whose path, query string or JSON body holds NUL."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            message = _("The request contains a NUL character, which is never valid.")
            if is_api_request(request):
                return json_error(400, [message])
            return render(request, "errors/400.html", {"errors": [message]}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return True
        if request.content_type == "application/json" and request.method in (
            "POST",
            "PUT",
            "PATCH",
        ):
            body = request.body
            return any(marker in body for marker in _NUL_MARKERS[:2])
        return False


class PublicPageCacheMiddleware:
    """Let browsers and shared caches keep public pages for a short while.

    Applies to anonymous GET and HEAD requests answered 200 with HTML, when
    the response sets no cookie and says nothing of caching itself (a page
    with a form sets the CSRF cookie, so it stays private). The language is
    in the URL, but `/` and pages without a prefix follow Accept-Language,
    and a signed-in reader sees another page: both go into Vary.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            settings.PUBLIC_PAGE_MAX_AGE > 0
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not response.cookies
            and not response.has_header("Cache-Control")
            and not (user and user.is_authenticated)
        ):
            patch_cache_control(
                response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE
            )
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
