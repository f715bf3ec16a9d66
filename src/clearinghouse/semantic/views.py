"""Pages of cross-lingual discovery: search by meaning, similar documents, curation."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clearinghouse.core.accounts import is_secretariat
from clearinghouse.core.responses import bad_request
from clearinghouse.library import selectors as library_selectors
from clearinghouse.library.models import Document

from . import encoder, selectors, services
from .forms import DecisionForm, DiscoverForm
from .models import IssueSuggestion
from .search import blended

PER_PAGE = 20


@require_safe
def discover(request: HttpRequest) -> HttpResponse:
    """The library searched by words, by meaning across languages, or both."""
    form = DiscoverForm(request.GET or None)
    context = {"form": form}
    if request.GET:
        if not form.is_valid():
            return render(request, "semantic/discover.html", context, status=400)
        result = blended(q=form.cleaned_data["q"], mode=form.cleaned_data["mode"])
        page = Paginator(result.hits, PER_PAGE).get_page(request.GET.get("page"))
        documents = Document.objects.in_bulk([hit.id for hit in page])
        context |= {
            "result": result,
            "page": page,
            "rows": [(hit, documents[hit.id]) for hit in page if hit.id in documents],
            "query": form.cleaned_data["q"],
        }
    return render(request, "semantic/discover.html", context)


@require_safe
def similar(request: HttpRequest, pk: int) -> HttpResponse:
    """Documents closest in meaning to one document, in every language."""
    document = library_selectors.document_get(pk=pk, user=request.user)
    if document is None:
        raise Http404(_("There is no document with this number."))
    context = {"document": document, "similar": [], "error": ""}
    try:
        context["similar"] = selectors.more_like_this(document, k=PER_PAGE)
    except encoder.EncoderUnavailable as error:
        context["error"] = str(error)
    return render(request, "semantic/similar.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def suggestions(request: HttpRequest) -> HttpResponse:
    """Issues suggested for documents, for the secretariat to confirm or reject."""
    if not is_secretariat(request.user):
        return bad_request(
            request,
            [_("Only the secretariat may review suggested issues.")],
            status=403,
        )
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return bad_request(request, [_("This decision could not be read.")])
        suggestion = IssueSuggestion.objects.filter(
            pk=form.cleaned_data["suggestion"]
        ).first()
        if suggestion is None:
            return bad_request(request, [_("This suggestion no longer exists.")])
        try:
            services.suggestion_decide(
                suggestion=suggestion,
                accepted=form.cleaned_data["decision"] == "confirm",
                by=request.user,
            )
        except ValidationError as error:
            return bad_request(request, error.messages, status=409)
        return redirect(request.get_full_path())
    page = Paginator(selectors.suggestions_offered(), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "semantic/suggestions.html",
        {"page": page, "thresholds": selectors.thresholds()},
    )
