"""Pages of the virtual library: search, a document, adding and reviewing documents."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from clearinghouse.core.accounts import is_secretariat, is_verified
from clearinghouse.core.history import history_for
from clearinghouse.core.langdetect import detect_language
from clearinghouse.core.responses import bad_request
from clearinghouse.events.jsonld import as_script
from clearinghouse.semantic.library_search import library_page

from . import citations, querying, selectors, services
from .extraction import UploadRefused, check_size
from .forms import DocumentForm, ReviewForm, SavedSearchForm, UploadForm
from .jsonld import document_jsonld
from .models import DocumentFile, DocumentStatus, SavedSearch
from .querying import FACET_LABELS
from .tagging import suggest_issues


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The search page: ranked results, facets with counts, issues and institutions."""
    query = querying.parse(request.GET)
    context = {"query": query, "facet_labels": FACET_LABELS}
    if not query.is_valid:
        return render(
            request,
            "library/search.html",
            context | {"errors": query.errors},
            status=400,
        )
    page = library_page(query)
    context |= {
        "page": page,
        "save_form": SavedSearchForm(initial={"query": query.query_string()}),
    }
    return render(request, "library/search.html", context)


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


# Room for the multipart envelope and the other fields around the file.
UPLOAD_OVERHEAD = 64 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _may_submit(request: HttpRequest) -> HttpResponse | None:
    """None if the person may add documents, else the page that says why not."""
    if not is_verified(request.user):
        return bad_request(
            request,
            [
                _(
                    "Only participants whose e-mail address is verified may "
                    "submit documents."
                )
            ],
            status=403,
        )
    return None


def _pending_file(request: HttpRequest, raw) -> DocumentFile | None:
    if not raw or not str(raw).isdigit():
        return None
    return DocumentFile.objects.filter(
        pk=int(raw), document__isnull=True, uploaded_by=request.user
    ).first()


def _initial_from_file(stored: DocumentFile) -> dict:
    """The form as an upload fills it: text, title, language, suggested issues."""
    text = stored.text
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return {
        "title": (getattr(stored, "extracted_title", "") or first_line)[:500],
        "body": text,
        "language": detect_language(text),
        "issues": [s.issue_id for s in suggest_issues(text)],
    }


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest) -> HttpResponse:
    """Add a document by form, or correct what an upload gave, then save it."""
    if refusal := _may_submit(request):
        return refusal
    stored = _pending_file(request, request.GET.get("file") or request.POST.get("file"))
    context = {
        "upload_form": UploadForm(),
        "stored": stored,
        "publishes": is_secretariat(request.user),
    }
    if request.method == "GET":
        initial = _initial_from_file(stored) if stored else {}
        return render(
            request,
            "library/add.html",
            context | {"form": DocumentForm(initial=initial)},
        )
    form = DocumentForm(request.POST)
    if not form.is_valid():
        return render(request, "library/add.html", context | {"form": form}, status=400)
    values = form.values()
    if not values["language"] and not stored:
        values["language"] = detect_language(
            "\n".join((values["title"], values["summary"], values["body"]))
        )
    try:
        document = services.document_create(
            by=request.user,
            values=values,
            source="upload" if stored else "form",
            file=stored,
            **form.relations(),
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return render(request, "library/add.html", context | {"form": form}, status=400)
    return HttpResponseRedirect(document.get_absolute_url())


@login_required
@require_POST
def document_upload(request: HttpRequest) -> HttpResponse:
    """Read an uploaded file, then show its text for correction (nothing else saved)."""
    if refusal := _may_submit(request):
        return refusal
    context = {
        "form": DocumentForm(),
        "publishes": is_secretariat(request.user),
    }
    try:
        # A body far over the limit is refused before Django spools it to disk.
        check_size(max(0, _content_length(request) - UPLOAD_OVERHEAD) or 1)
    except UploadRefused as refused:
        form = UploadForm()
        form.errors["file"] = form.error_class([refused.message])
        return render(
            request, "library/add.html", context | {"upload_form": form}, status=400
        )
    upload_form = UploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return render(
            request,
            "library/add.html",
            context | {"upload_form": upload_form},
            status=400,
        )
    upload = upload_form.cleaned_data["file"]
    try:
        # Refused by its size alone, before it is read.
        check_size(upload.size)
        stored = services.document_file_upload(
            name=upload.name, data=upload.read(), by=request.user
        )
    except UploadRefused as refused:
        upload_form.add_error("file", refused.message)
        return render(
            request,
            "library/add.html",
            context | {"upload_form": upload_form},
            status=400,
        )
    return render(
        request,
        "library/add.html",
        context
        | {
            "upload_form": UploadForm(),
            "stored": stored,
            "form": DocumentForm(initial=_initial_from_file(stored)),
        },
    )


@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submissions waiting for the secretariat."""
    if not is_secretariat(request.user):
        return bad_request(
            request, [_("Only the secretariat reviews submissions.")], status=403
        )
    documents = list(selectors.review_queue().prefetch_related("issue_tags__issue"))
    forms = [
        (
            document,
            ReviewForm(
                prefix=f"d{document.pk}",
                initial={
                    "issues": [t.issue_id for t in document.issue_tags.all()],
                    "decision": "publish",
                },
            ),
        )
        for document in documents
    ]
    return render(request, "library/review.html", {"forms": forms})


@require_POST
def document_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a submission with the issues the curator confirms, or send it back."""
    if not is_secretariat(request.user):
        return bad_request(
            request, [_("Only the secretariat reviews submissions.")], status=403
        )
    document = get_object_or_404(selectors.review_queue(), pk=pk)
    form = ReviewForm(request.POST, prefix=f"d{pk}")
    if not form.is_valid():
        return render(
            request, "library/review.html", {"forms": [(document, form)]}, status=400
        )
    services.document_review(
        document=document,
        publish=form.cleaned_data["decision"] == "publish",
        note=form.cleaned_data["note"],
        issue_ids=[issue.pk for issue in form.cleaned_data["issues"]],
    )
    return HttpResponseRedirect(reverse("library:review"))


@login_required
@require_http_methods(["GET", "POST"])
def saved_searches(request: HttpRequest) -> HttpResponse:
    """A person's saved searches, each with its Atom feed; saving the current one."""
    form = SavedSearchForm()
    status = 200
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        if form.is_valid():
            query = querying.parse(_query_dict(form.cleaned_data["query"]))
            if query.is_valid:
                services.saved_search_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    query=query.query_string(),
                )
                return HttpResponseRedirect(reverse("library:saved"))
            for message in query.errors:
                form.add_error(None, message)
        status = 400
    searches = SavedSearch.objects.filter(user=request.user)
    return render(
        request,
        "library/saved.html",
        {"form": form, "searches": searches},
        status=status,
    )


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget one of one's saved searches (its feed stops)."""
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    services.saved_search_delete(search=search)
    return HttpResponseRedirect(reverse("library:saved"))


def _query_dict(text: str):
    from django.http import QueryDict

    return QueryDict(text)
