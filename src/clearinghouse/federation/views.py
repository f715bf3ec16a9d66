"""Pages of federation: the partner sources with their health, a source's log."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors


@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    """Every approved partner source and how its harvesting goes."""
    return render(
        request,
        "federation/source_list.html",
        {"sources": selectors.source_list()},
    )


@require_safe
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One source: what it is, its schedule, and its harvest log."""
    source = selectors.source_visible(pk=pk, user=request.user)
    if source is None:
        raise Http404
    return render(
        request,
        "federation/source_detail.html",
        {
            "source": source,
            "runs": selectors.source_runs(source=source),
            "full_log": selectors.can_see_log(user=request.user, source=source),
        },
    )
