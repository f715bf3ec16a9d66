"""Pages of the virtual library: a document, its citations and files."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clearinghouse.core.history import history_for
from clearinghouse.events.jsonld import as_script

from . import citations, selectors
from .jsonld import document_jsonld
from .models import DocumentFile, DocumentStatus


def _document_or_404(request: HttpRequest, pk: int):
    document = selectors.document_get(pk=pk, user=request.user)
    if document is None:
        raise Http404(_("There is no document with this number."))
    return document


@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One document: its description, sources, issues, files, neighbours, history."""
    document = _document_or_404(request, pk)
    page_url = request.build_absolute_uri(document.get_absolute_url())
    withdrawn = document.status == DocumentStatus.WITHDRAWN
    context = {
        "document": document,
        "withdrawn": withdrawn,
        "provenances": [p for p in document.provenances.all() if not p.is_local],
        "local": any(p.is_local for p in document.provenances.all()),
        "tags": list(document.issue_tags.all()),
        "events": list(document.presented_at.all()),
    }
    if not withdrawn:
        context |= {
            "jsonld": as_script(document_jsonld(document, page_url=page_url)),
            "related": selectors.document_related(document=document),
            "history": history_for([document], limit=20),
        }
    # A withdrawn document answers 410 Gone, with what it was.
    return render(
        request, "library/document.html", context, status=410 if withdrawn else 200
    )


@require_safe
def document_citation(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The document as a BibTeX, RIS or CSL-JSON file."""
    document = _document_or_404(request, pk)
    if fmt not in citations.FORMATS or document.status == DocumentStatus.WITHDRAWN:
        raise Http404(_("There is no such citation format."))
    content_type, extension, write = citations.FORMATS[fmt]
    page_url = request.build_absolute_uri(document.get_absolute_url())
    response = HttpResponse(
        write(document, page_url=page_url).encode(), content_type=content_type
    )
    response["Content-Disposition"] = (
        f'attachment; filename="document-{document.pk}.{extension}"'
    )
    return response


@require_safe
def document_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A document's file, always as an attachment that no browser runs."""
    document = _document_or_404(request, pk)
    if document.status == DocumentStatus.WITHDRAWN:
        raise Http404(_("This document was withdrawn."))
    stored = DocumentFile.objects.filter(document=document, pk=file_pk).first()
    if stored is None:
        raise Http404(_("There is no such file."))
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("There is no such file.")) from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The library's search page."""
    from .search_page import search_page

    return search_page(request)
