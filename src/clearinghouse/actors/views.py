"""Pages of institutions."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clearinghouse.core.history import history_for

from . import selectors


@require_safe
def institution_list(request: HttpRequest) -> HttpResponse:
    """Every institution, by stakeholder group."""
    return render(
        request,
        "actors/institution_list.html",
        {"institutions": selectors.institution_list()},
    )


@require_safe
def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An institution and its mandates by issue."""
    institution = selectors.institution_detail(slug=slug)
    if institution is None:
        raise Http404(_("There is no institution with this name."))
    return render(
        request,
        "actors/institution_detail.html",
        {
            "institution": institution,
            "mandates": selectors.institution_mandates(institution),
            "history": history_for([institution], limit=20),
        },
    )
