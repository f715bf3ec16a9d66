"""Pages of the road map and the proposals, their exports and the calendar."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST, require_safe

from clearinghouse.core.accounts import is_secretariat
from clearinghouse.core.history import history_for
from clearinghouse.core.responses import bad_request, download, exporter_or_error
from clearinghouse.security.services import audit_request

from . import selectors, services
from .exports import MILESTONE_COLUMNS, PROPOSAL_COLUMNS, milestone_rows, proposal_rows
from .filters import MilestoneDateFilterForm, MilestoneFilterForm, ProposalFilterForm
from .forms import ProposalUpdateForm
from .ical import calendar_build
from .rendering import item_from, table_rows, timeline_build, timeline_items

# The road map ---------------------------------------------------------------


@gzip_page  # public, no secrets in the page: no BREACH risk
@require_safe
def timeline(request: HttpRequest) -> HttpResponse:
    """The road map: every milestone on a timeline drawn as SVG, and as a table."""
    form = MilestoneFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "roadmap/timeline.html",
            {"form": form, "errors": form.error_messages()},
            status=400,
        )
    filters = form.filters()
    milestones = selectors.milestone_list(filters=filters)
    url_of = selectors.url_maker("roadmap:milestone")
    drawn = timeline_build(
        timeline_items(milestones, url_of=url_of),
        rtl=get_language_bidi(),
        today=timezone.localdate(),
    )
    return render(
        request,
        "roadmap/timeline.html",
        {
            "form": form,
            "milestones": table_rows(milestones, url_of=url_of),
            "timeline": drawn,
            "query": filters.as_query(),
        },
    )


def _table(milestones) -> list:
    return table_rows(milestones, url_of=selectors.url_maker("roadmap:milestone"))


def _slipped(slipped: selectors.Slipped) -> dict:
    return {
        "slipped": slipped,
        "marked": _table(slipped.marked),
        "overdue": _table(slipped.overdue),
    }


def _dated_list(request: HttpRequest, template: str, build) -> HttpResponse:
    form = MilestoneDateFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            template,
            {"form": form, "errors": form.error_messages()},
            status=400,
        )
    filters = form.filters()
    day = form.day(timezone.localdate())
    return render(
        request,
        template,
        {"form": form, "day": day, "query": filters.as_query(), **build(filters, day)},
    )


@require_safe
def due(request: HttpRequest) -> HttpResponse:
    """What is due in the next 90 days (from today, or from `?on=`)."""
    return _dated_list(
        request,
        "roadmap/due.html",
        lambda filters, day: {
            "milestones": _table(selectors.milestones_due(filters=filters, day=day)),
            "days": selectors.DUE_DAYS,
        },
    )


@require_safe
def slipped(request: HttpRequest) -> HttpResponse:
    """What slipped: marked so, overdue, or forecast moved later."""
    return _dated_list(
        request,
        "roadmap/slipped.html",
        lambda filters, day: _slipped(
            selectors.milestones_slipped(filters=filters, day=day)
        ),
    )


@require_safe
def milestone_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A milestone: its span, how the forecast moved, its dependencies, relations."""
    milestone = selectors.milestone_detail(slug=slug)
    if milestone is None:
        raise Http404(_("There is no milestone with this name."))
    forecasts = list(milestone.forecasts.all())
    # Each earlier forecast held until it was replaced; the current one holds now.
    moves = [
        item_from(
            forecast,
            key=f"forecast-{forecast.pk}",
            title=_("Forecast replaced on %(date)s")
            % {"date": timezone.localdate(forecast.replaced_at).isoformat()},
        )
        for forecast in forecasts
    ]
    if moves:
        moves.append(item_from(milestone, key="current", title=_("Current forecast")))
    for move in moves:
        move.status, move.status_label = milestone.status, ""
    return render(
        request,
        "roadmap/milestone.html",
        {
            "milestone": milestone,
            "forecasts": forecasts,
            "moves": timeline_build(
                moves, rtl=get_language_bidi(), today=timezone.localdate()
            )
            if moves
            else None,
            "events": [
                (event, selectors.event_url(event)) for event in milestone.events.all()
            ],
            "history": history_for([milestone], limit=30),
        },
    )


@require_safe
def roadmap_ics(request: HttpRequest) -> HttpResponse:
    """The milestones as iCalendar; the road-map filters as query parameters."""
    form = MilestoneFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(form.error_messages()) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    milestones = selectors.milestone_list(filters=form.filters(), with_relations=True)
    body = calendar_build(
        milestones,
        absolute=request.build_absolute_uri,
        url_of=selectors.url_maker("roadmap:milestone"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="roadmap.ics"'
    return response


@require_safe
def milestone_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered milestones as CSV, XLSX or JSON."""
    exporter, error = exporter_or_error(request, fmt)
    if error:
        return error
    form = MilestoneFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_messages())
    milestones = selectors.milestone_list(filters=form.filters(), with_relations=True)
    rows = milestone_rows(milestones, absolute=request.build_absolute_uri)
    body = exporter.render(columns=MILESTONE_COLUMNS, rows=rows)
    return download(body, exporter=exporter, name="milestones")


# Proposals ------------------------------------------------------------------


@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    """The Forum's proposals and their status, filterable; what was asked of whom."""
    form = ProposalFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "roadmap/proposal_list.html",
            {"form": form, "errors": form.error_messages()},
            status=400,
        )
    filters = form.filters()
    addressees = dict(form.fields["addressed_to"].choices)
    return render(
        request,
        "roadmap/proposal_list.html",
        {
            "form": form,
            "proposals": selectors.proposal_list(filters=filters),
            "query": filters.as_query(),
            "asked_of": [addressees[slug] for slug in filters.addressed_to],
        },
    )


@require_safe
def proposal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered proposals as CSV, XLSX or JSON: the same rows as the page."""
    exporter, error = exporter_or_error(request, fmt)
    if error:
        return error
    form = ProposalFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_messages())
    rows = proposal_rows(selectors.proposal_list(filters=form.filters()))
    body = exporter.render(columns=PROPOSAL_COLUMNS, rows=rows)
    return download(body, exporter=exporter, name="proposals")


def _proposal_page(request, proposal, *, form, errors=(), status=200) -> HttpResponse:
    return render(
        request,
        "roadmap/proposal.html",
        {
            "proposal": proposal,
            "form": form,
            "errors": list(errors),
            "can_update": is_secretariat(request.user),
            "history": history_for([proposal], limit=30),
        },
        status=status,
    )


@require_safe
def proposal_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A proposal, its follow-up timeline and, for the secretariat, a form."""
    proposal = selectors.proposal_detail(slug=slug)
    if proposal is None:
        raise Http404(_("There is no proposal with this name."))
    form = ProposalUpdateForm() if is_secretariat(request.user) else None
    return _proposal_page(request, proposal, form=form)


@require_POST
def proposal_update_add(request: HttpRequest, slug: str) -> HttpResponse:
    """The secretariat records a dated follow-up, which sets the status."""
    if not is_secretariat(request.user):
        return bad_request(
            request,
            [_("Only the secretariat may record the follow-up of a proposal.")],
            status=403,
        )
    proposal = selectors.proposal_detail(slug=slug)
    if proposal is None:
        raise Http404(_("There is no proposal with this name."))
    form = ProposalUpdateForm(request.POST)
    if not form.is_valid():
        return _proposal_page(
            request, proposal, form=form, errors=form.error_messages(), status=400
        )
    try:
        services.proposal_update_add(
            proposal=proposal, by=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        by_field = error.message_dict if hasattr(error, "error_dict") else {}
        if not by_field:
            by_field = {None: error.messages}
        for name, messages in by_field.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        return _proposal_page(
            request, proposal, form=form, errors=form.error_messages(), status=400
        )
    audit_request(request, action="proposal.update_add", target=proposal)
    return redirect(f"{proposal.get_absolute_url()}#follow-up", permanent=False)
