"""Copies the admin's own log of changes into the audit log, with the request.

Django's admin writes a LogEntry for each addition, change and deletion, in
bulk for bulk deletions (which sends no signal); reading the entries a request
added, after the response, catches them all and knows where the request came
from.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.http import HttpRequest, HttpResponse

from .services import audit_record

_ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AdminAuditMiddleware:
    """Record each admin LogEntry written by an unsafe request in the audit log."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.urls import reverse

        if request.method not in _UNSAFE or not request.path.startswith(
            reverse("admin:index")
        ):
            return self.get_response(request)
        last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            entries = LogEntry.objects.filter(
                pk__gt=last or 0, user_id=user.pk
            ).select_related("content_type")
            for entry in entries.order_by("pk"):
                audit_record(
                    actor=user,
                    action=_ACTIONS.get(entry.action_flag, "admin.other"),
                    target=f"{entry.content_type.app_label}.{entry.content_type.model}"
                    f" {entry.object_id}: {entry.object_repr}",
                    request=request,
                )
        return response
