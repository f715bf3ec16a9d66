"""API router of the road map: milestones and the Forum's proposals.

The list endpoints take the same query parameters as the pages and validate
them with the same forms, so they return the same rows as the pages and the
exports. Writes are for the secretariat: a follow-up update of a proposal,
and changes to a milestone (a changed span keeps the old one as a forecast).
"""

from datetime import date, datetime

from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clearinghouse.actors.models import Institution
from clearinghouse.api.errors import (
    ApiError,
    not_found,
    write_errors,
)
from clearinghouse.api.schemas import Detail, Source, source_of
from clearinghouse.core.api_helpers import translations
from clearinghouse.events.models import Event
from clearinghouse.security.auth import write_auth
from clearinghouse.security.permissions import require_can_edit
from clearinghouse.security.services import audit_request
from clearinghouse.taxonomy.models import Issue

from . import selectors, services
from .exports import milestone_rows, proposal_rows
from .filters import MilestoneFilterForm, ProposalFilterForm
from .models import Milestone, MilestoneStatus, Proposal, ProposalStatus

router = Router(tags=["roadmap"])


class MilestoneQuery(Schema):
    issue: list[str] = Field(default_factory=list, description="Issue slugs")
    institution: list[str] = Field(
        default_factory=list, description="Institution slugs"
    )
    status: list[str] = Field(default_factory=list, description="Milestone statuses")


class ProposalQuery(Schema):
    status: list[str] = Field(default_factory=list, description="Proposal statuses")
    addressed_to: list[str] = Field(
        default_factory=list, description="Slugs of institutions addressed"
    )
    issue: list[str] = Field(default_factory=list, description="Issue slugs")
    session: list[str] = Field(default_factory=list, description="Session identifiers")


class MilestoneRow(Schema):
    slug: str
    title: str
    status: str
    earliest_start: date | None
    latest_start: date | None
    earliest_end: date | None
    latest_end: date | None
    span_note: str
    issues: list[str]
    institutions: list[str]
    events: list[str] = Field(description="iCalendar UIDs of the events")
    proposals: list[str]
    depends_on: list[str]
    url: str


class ForecastOut(Schema):
    earliest_start: date | None
    latest_start: date | None
    earliest_end: date | None
    latest_end: date | None
    span_note: str
    replaced_at: datetime
    replaced_by: str | None
    reason: str


class MilestoneOut(MilestoneRow):
    titles: dict[str, str]
    description: str
    dependents: list[str]
    forecasts: list[ForecastOut] = Field(description="Earlier spans, oldest first")
    source: Source


class MilestonePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=4000)
    span_note: str | None = Field(None, max_length=1000)
    status: MilestoneStatus | None = None
    earliest_start: date | None = None
    latest_start: date | None = None
    earliest_end: date | None = None
    latest_end: date | None = None
    reason: str = Field(
        "", max_length=1000, description="Why the span changes (needed if it does)"
    )
    issues: list[str] | None = None
    institutions: list[str] | None = None
    events: list[str] | None = Field(None, description="iCalendar UIDs")
    proposals: list[str] | None = None
    depends_on: list[str] | None = None
    source_quote: str | None = Field(None, max_length=4000)
    source_url: str | None = Field(None, max_length=500)
    source_title: str | None = Field(None, max_length=500)


class ProposalRow(Schema):
    slug: str
    text: str
    session: str
    session_name: str
    proposed_by: str
    proposed_by_group: str
    addressed_to: list[str]
    issues: list[str]
    status: str
    status_since: date | None
    source_quote: str


class UpdateOut(Schema):
    date: date
    status: str
    note: str
    source: Source


class ProposalOut(ProposalRow):
    url: str
    updates: list[UpdateOut] = Field(description="Follow-up updates, oldest first")
    milestones: list[str]
    source: Source


class UpdateIn(Schema):
    date: date
    status: ProposalStatus
    note: str = Field("", max_length=4000)
    source_quote: str = Field("", max_length=4000)
    source_url: str = Field("", max_length=500)
    source_title: str = Field("", max_length=500)


def _form_data(query: Schema) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in query.dict().items():
        data.setlist(key, [str(value) for value in values])
    return data


def _milestone_out(milestone: Milestone, request) -> dict:
    row = milestone_rows([milestone], absolute=request.build_absolute_uri)[0]
    return {
        **row,
        "titles": translations(milestone, "title"),
        "description": milestone.description,
        "dependents": [other.slug for other in milestone.dependents.all()],
        "forecasts": [
            {
                "earliest_start": forecast.earliest_start,
                "latest_start": forecast.latest_start,
                "earliest_end": forecast.earliest_end,
                "latest_end": forecast.latest_end,
                "span_note": forecast.span_note,
                "replaced_at": forecast.replaced_at,
                "replaced_by": forecast.replaced_by.get_username()
                if forecast.replaced_by
                else None,
                "reason": forecast.reason,
            }
            for forecast in milestone.forecasts.all()
        ],
        "source": source_of(milestone),
    }


def _milestone(slug: str) -> Milestone:
    milestone = selectors.milestone_detail(slug=slug)
    if milestone is None:
        raise not_found(_("milestone"), slug)
    return milestone


def _proposal(slug: str) -> Proposal:
    proposal = selectors.proposal_detail(slug=slug)
    if proposal is None:
        raise not_found(_("proposal"), slug)
    return proposal


def _proposal_out(proposal: Proposal, request) -> dict:
    proposal.status_since = max(
        (update.date for update in proposal.updates.all()), default=None
    )
    return {
        **proposal_rows([proposal])[0],
        "url": request.build_absolute_uri(proposal.get_absolute_url()),
        "updates": [
            {
                "date": update.date,
                "status": update.status,
                "note": update.note,
                "source": source_of(update),
            }
            for update in proposal.updates.all()
        ],
        "milestones": [milestone.slug for milestone in proposal.milestones.all()],
        "source": source_of(proposal),
    }


@router.get(
    "/milestones",
    response={200: list[MilestoneRow], 400: Detail},
    summary="Milestones of the road map",
)
def list_milestones(request, filters: Query[MilestoneQuery]):
    """The same milestones as the road-map page, its exports and its calendar."""
    form = MilestoneFilterForm(_form_data(filters))
    if not form.is_valid():
        raise ApiError(400, form.error_messages())
    milestones = selectors.milestone_list(filters=form.filters(), with_relations=True)
    return milestone_rows(milestones, absolute=request.build_absolute_uri)


@router.get("/milestones/{slug}", response={200: MilestoneOut, 404: Detail})
def get_milestone(request, slug: str):
    """A milestone with its dependencies and earlier forecasts."""
    return _milestone_out(_milestone(slug), request)


def _by_slugs(model, slugs: list[str], what: str, key: str = "slug") -> list:
    found = {
        getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": slugs})
    }
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise ApiError(
            400,
            [
                _("Unknown %(what)s: %(values)s.")
                % {"what": what, "values": ", ".join(s[:80] for s in unknown[:10])}
            ],
        )
    return [found[slug] for slug in dict.fromkeys(slugs)]


@router.patch(
    "/milestones/{slug}",
    response={200: MilestoneOut, 400: Detail, 401: Detail, 403: Detail, 404: Detail},
    auth=write_auth,
)
def update_milestone(request, slug: str, data: MilestonePatch):
    """Change a milestone. A changed span keeps the old one, with the reason."""
    milestone = Milestone.objects.filter(slug=slug).first()
    if milestone is None:
        raise not_found(_("milestone"), slug)
    require_can_edit(request, milestone)
    payload = data.dict(exclude_unset=True)
    reason = payload.pop("reason", "") or ""
    for name, model, what, key in (
        ("issues", Issue, _("issue"), "slug"),
        ("institutions", Institution, _("institution"), "slug"),
        ("events", Event, _("event"), "uid"),
        ("proposals", Proposal, _("proposal"), "slug"),
        ("depends_on", Milestone, _("milestone"), "slug"),
    ):
        if payload.get(name) is not None:
            payload[name] = _by_slugs(model, payload[name], what, key)
        elif name in payload:
            payload[name] = []
    for name in ("title", "description", "span_note", "status"):
        if name in payload and payload[name] is None:
            payload.pop(name)
    for name in ("source_quote", "source_url", "source_title"):
        if name in payload and payload[name] is None:
            payload[name] = ""
    with write_errors(_("This milestone already exists.")):
        services.milestone_update(
            milestone=milestone, by=request.user, reason=reason, **payload
        )
    audit_request(request, action="milestone.update", target=milestone)
    return _milestone_out(_milestone(slug), request)


@router.get(
    "/proposals",
    response={200: list[ProposalRow], 400: Detail},
    summary="The Forum's proposals and their status",
)
def list_proposals(request, filters: Query[ProposalQuery]):
    """The same proposals as the proposals page and its exports."""
    form = ProposalFilterForm(_form_data(filters))
    if not form.is_valid():
        raise ApiError(400, form.error_messages())
    return proposal_rows(selectors.proposal_list(filters=form.filters()))


@router.get("/proposals/{slug}", response={200: ProposalOut, 404: Detail})
def get_proposal(request, slug: str):
    """A proposal with its follow-up updates."""
    return _proposal_out(_proposal(slug), request)


@router.post(
    "/proposals/{slug}/updates",
    response={201: ProposalOut, 400: Detail, 401: Detail, 403: Detail, 404: Detail},
    auth=write_auth,
)
def add_proposal_update(request, slug: str, data: UpdateIn):
    """Record a dated follow-up; the proposal takes its status."""
    proposal = Proposal.objects.filter(slug=slug).first()
    if proposal is None:
        raise not_found(_("proposal"), slug)
    require_can_edit(request, proposal)
    payload = data.dict()
    payload["status"] = str(payload["status"])
    with write_errors(_("This follow-up update already exists.")):
        services.proposal_update_add(proposal=proposal, by=request.user, **payload)
    audit_request(request, action="proposal.update_add", target=proposal)
    return Status(201, _proposal_out(_proposal(slug), request))
