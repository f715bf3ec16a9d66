"""The participation page: who takes part, across consultations and events."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .comparison import comparison_build


@require_GET
def participation(request: HttpRequest) -> HttpResponse:
    return render(
        request, "analytics/participation.html", {"comparison": comparison_build()}
    )
