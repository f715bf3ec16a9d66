"""Pages of the taxonomy and its SKOS exports."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import selectors
from .skos import taxonomy_graph


@require_safe
def issue_list(request: HttpRequest) -> HttpResponse:
    """Every issue, by area, with how many institutions address it."""
    return render(
        request, "taxonomy/issue_list.html", {"areas": selectors.areas_with_issues()}
    )


@require_safe
def issue_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An issue: who addresses it, in which role, concerns, related issues, history."""
    issue = selectors.issue_detail(slug=slug)
    if issue is None:
        raise Http404(_("There is no issue with this name."))
    return render(
        request,
        "taxonomy/issue_detail.html",
        {
            "issue": issue,
            "mandates": selectors.issue_mandates(issue),
            "concerns": selectors.issue_concerns(issue),
            "history": selectors.issue_history(issue),
        },
    )


@require_safe
def skos_turtle(request: HttpRequest) -> HttpResponse:
    """The taxonomy as a SKOS concept scheme in Turtle."""
    graph = taxonomy_graph(base=request.build_absolute_uri("/"))
    return HttpResponse(
        graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8"
    )


@require_safe
def skos_jsonld(request: HttpRequest) -> HttpResponse:
    """The taxonomy as a SKOS concept scheme in JSON-LD."""
    graph = taxonomy_graph(base=request.build_absolute_uri("/"))
    return HttpResponse(
        graph.serialize(format="json-ld", indent=1),
        content_type="application/ld+json",
    )
