"""Request screening shared by every page and endpoint."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

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
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": [message]}, status=400)
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
