"""The front page, which draws on every part of the site."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from clearinghouse.actors.models import Institution
from clearinghouse.matrix.selectors import gap_counts
from clearinghouse.taxonomy.models import Area, Issue


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front page: what the clearinghouse holds and where to start."""
    counts = {
        "areas": Area.objects.count(),
        "issues": Issue.objects.count(),
        "institutions": Institution.objects.count(),
        **gap_counts(),
    }
    return render(request, "core/home.html", {"counts": counts})
