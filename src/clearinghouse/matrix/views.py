"""Pages and exports of the matrix, its cells and its gaps."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from clearinghouse.core.history import history_for
from clearinghouse.core.responses import bad_request, download, exporter_or_error

from .exports import GAP_COLUMNS, MATRIX_COLUMNS, gap_rows, matrix_rows
from .filters import GapFilterForm, MatrixFilterForm
from .models import ROLE_ABBREVIATIONS, RoleCode
from .rendering import grid_rows, list_rows, summary_rows
from .selectors import (
    cell_mandate,
    gaps_build,
    matrix_build,
    matrix_institution_count,
    matrix_summary_cached,
)

VIEWS = ("grid", "list")


@gzip_page  # large, public, no secrets in the page: no BREACH risk
@require_safe
def matrix_page(request: HttpRequest) -> HttpResponse:
    """The matrix: issues by area as rows, institutions by group as columns."""
    form = MatrixFilterForm(request.GET)
    view = request.GET.get("view", "grid")
    errors = [] if form.is_valid() else form.error_messages()
    if view not in VIEWS:
        errors.append(
            _("View: choose “grid” or “list”, not “%(view)s”.") % {"view": view[:20]}
        )
    if errors:
        return render(
            request,
            "matrix/matrix.html",
            {"form": form, "errors": errors, "view": "grid"},
            status=400,
        )
    filters = form.filters()
    context = {
        "form": form,
        "view": view,
        "query": filters.as_query(),
        "roles": [
            (ROLE_ABBREVIATIONS[code], label) for code, label in RoleCode.choices
        ],
        "max_columns": settings.MATRIX_MAX_COLUMNS,
    }
    if matrix_institution_count(filters=filters) > settings.MATRIX_MAX_COLUMNS:
        # Too many institutions for a column each: one column per stakeholder
        # group, counted in the database (docs/decisions/0001-matrix-summary.md).
        matrix = matrix_summary_cached(filters=filters)
        context.update(matrix=matrix, summary=True, grid=summary_rows(matrix))
    else:
        matrix = matrix_build(filters=filters)
        context.update(matrix=matrix, summary=False)
        if view == "grid":
            context["grid"] = grid_rows(matrix)
        else:
            context["list"] = list_rows(matrix)
    return render(request, "matrix/matrix.html", context)


@gzip_page  # large, public, no secrets in the page: no BREACH risk
@require_safe
def matrix_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered matrix as CSV, XLSX or JSON: one row per filled cell."""
    exporter, error = exporter_or_error(request, fmt)
    if error:
        return error
    form = MatrixFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_messages())
    matrix = matrix_build(filters=form.filters())
    body = exporter.render(columns=MATRIX_COLUMNS, rows=matrix_rows(matrix))
    return download(body, exporter=exporter, name="matrix")


@gzip_page  # large, public, no secrets in the page: no BREACH risk
@require_safe
def gaps_page(request: HttpRequest) -> HttpResponse:
    """Issues with no home, with a single stakeholder group, or possibly duplicated."""
    form = GapFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "matrix/gaps.html",
            {"form": form, "errors": form.error_messages()},
            status=400,
        )
    gaps = gaps_build(filters=form.filters())
    return render(
        request,
        "matrix/gaps.html",
        {"form": form, "gaps": gaps, "query": form.filters().as_query()},
    )


@gzip_page  # large, public, no secrets in the page: no BREACH risk
@require_safe
def gaps_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """One gap list (`?list=no_home|single_group|duplication`) as a file."""
    exporter, error = exporter_or_error(request, fmt)
    if error:
        return error
    form = GapFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_messages())
    kind = form.cleaned_data.get("list")
    if not kind:
        return bad_request(
            request,
            [
                _(
                    "Say which gap list to export: "
                    "list=no_home, single_group or duplication."
                )
            ],
        )
    gaps = gaps_build(filters=form.filters())
    body = exporter.render(columns=GAP_COLUMNS[kind], rows=gap_rows(gaps, kind))
    return download(body, exporter=exporter, name=f"gaps-{kind}")


@require_safe
def cell_detail(request: HttpRequest, issue: str, institution: str) -> HttpResponse:
    """One cell of the matrix: the mandate, its evidence, concerns and history."""
    mandate = cell_mandate(issue_slug=issue, institution_slug=institution)
    if mandate is None:
        raise Http404(_("No institution has this mandate in the matrix."))
    return render(
        request,
        "matrix/cell.html",
        {"mandate": mandate, "history": history_for([mandate], limit=50)},
    )
