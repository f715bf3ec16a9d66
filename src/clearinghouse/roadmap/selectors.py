"""Reads of the road map and the proposals.

Each function runs a fixed number of queries, whatever the number of records.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse

from clearinghouse.events.models import Event

from .filters import MilestoneFilters, ProposalFilters
from .models import (
    Forecast,
    Milestone,
    MilestoneStatus,
    Proposal,
    ProposalUpdate,
)

DUE_DAYS = 90


def url_maker(name: str) -> Callable[[str], str]:
    """A fast reverse() for many slugs of one URL pattern."""
    head, tail = reverse(name, kwargs={"slug": "SLUG"}).split("SLUG", 1)
    return lambda slug: f"{head}{slug}{tail}"


def event_url(event: Event) -> str:
    """The page of an event, or "" while the events app has no page for it."""
    try:
        return event.get_absolute_url()
    except NoReverseMatch:
        return ""


# Milestones -----------------------------------------------------------------

# Each relation of a milestone, and the identifier its rows are named by.
_RELATION_KEYS = (
    ("issues", "issue__slug"),
    ("institutions", "institution__slug"),
    ("events", "event__uid"),
    ("proposals", "proposal__slug"),
    ("depends_on", "to_milestone__slug"),
)


def relation_keys(milestones: QuerySet) -> dict[str, dict[int, list[str]]]:
    """For each relation, {milestone id: [slugs]} of the given milestones.

    One flat query per relation on its join table: much faster than model
    instances through prefetch_related for hundreds of milestones.
    """
    ids = milestones.order_by().values("pk")
    keys: dict[str, dict[int, list[str]]] = {}
    for name, column in _RELATION_KEYS:
        relation = getattr(Milestone, name)
        owner = f"{relation.field.m2m_field_name()}_id"
        rows = (
            relation.through.objects.filter(**{f"{owner}__in": ids})
            .order_by(column)
            .values_list(owner, column)
        )
        by_milestone: dict[int, list[str]] = {}
        for milestone_id, key in rows:
            by_milestone.setdefault(milestone_id, []).append(key)
        keys[name] = by_milestone
    return keys


def _attach_keys(milestones: list[Milestone], queryset: QuerySet) -> None:
    keys = relation_keys(queryset)
    for milestone in milestones:
        milestone.keys = {
            name: by_milestone.get(milestone.pk, [])
            for name, by_milestone in keys.items()
        }


def milestone_list(
    *, filters: MilestoneFilters, with_relations: bool = False
) -> list[Milestone]:
    """The milestones that pass the filters, in timeline order.

    One query; with `with_relations`, five more, and each milestone gets
    `keys`: the slugs (UIDs for events) of its related records, by relation.
    """
    queryset = filters.apply(Milestone.objects.all()).in_timeline_order()
    milestones = list(queryset)
    if with_relations:
        _attach_keys(milestones, queryset)
    return milestones


def milestone_detail(*, slug: str) -> Milestone | None:
    """One milestone with its relations, dependencies and earlier forecasts.

    It has `keys` too, as from milestone_list(with_relations=True).
    """
    queryset = Milestone.objects.filter(slug=slug)
    milestone = queryset.prefetch_related(
        "issues",
        "institutions",
        "events",
        "proposals",
        Prefetch("depends_on", queryset=Milestone.objects.in_timeline_order()),
        Prefetch("dependents", queryset=Milestone.objects.in_timeline_order()),
        Prefetch(
            "forecasts",
            queryset=Forecast.objects.select_related("replaced_by").order_by(
                "replaced_at", "pk"
            ),
        ),
    ).first()
    if milestone is not None:
        _attach_keys([milestone], queryset)
    return milestone


# The date a milestone is due by: its end where known, else its start.
_DUE_FIRST = Coalesce("earliest_end", "latest_end", "earliest_start", "latest_start")
_DUE_LAST = Coalesce("latest_end", "earliest_end", "latest_start", "earliest_start")


def milestones_due(
    *, filters: MilestoneFilters, day: date, days: int = DUE_DAYS
) -> list[Milestone]:
    """Open milestones that may be reached between `day` and `days` later.

    A milestone is due in the window when the range of dates at which it is
    expected to end (or, where no end is known, to start) meets the window.
    """
    until = day + timedelta(days=days)
    milestones = (
        filters.apply(Milestone.objects.open())
        .alias(due_first=_DUE_FIRST, due_last=_DUE_LAST)
        .filter(due_first__lte=until, due_last__gte=day)
        .in_timeline_order()
    )
    return list(milestones)


@dataclass
class Moved:
    """A milestone whose expected end moved later than first forecast."""

    milestone: Milestone
    first: Forecast
    forecasts: int


@dataclass
class Slipped:
    """What slipped, three ways."""

    day: date
    marked: list[Milestone] = field(default_factory=list)
    overdue: list[Milestone] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many milestones appear in any of the lists."""
        keys = {m.pk for m in self.marked} | {m.pk for m in self.overdue}
        return len(keys | {item.milestone.pk for item in self.moved})


def _end_anchor(span) -> date | None:
    return (
        span.latest_end
        or span.earliest_end
        or span.latest_start
        or (span.earliest_start)
    )


def milestones_slipped(*, filters: MilestoneFilters, day: date) -> Slipped:
    """Milestones marked as slipped; not marked so, yet still open past their
    latest start (if not under way) or latest end; and those whose expected end
    moved later than the first forecast (3 queries)."""
    base = filters.apply(Milestone.objects.all())
    result = Slipped(day=day)
    result.marked = list(
        base.filter(status=MilestoneStatus.SLIPPED).in_timeline_order()
    )
    result.overdue = list(
        base.filter(
            Q(status=MilestoneStatus.FORESEEN, latest_start__lt=day)
            | Q(
                status__in=[MilestoneStatus.FORESEEN, MilestoneStatus.UNDER_WAY],
                latest_end__lt=day,
            )
        ).in_timeline_order()
    )
    moved = (
        base.filter(forecasts__isnull=False)
        .distinct()
        .prefetch_related(
            Prefetch(
                "forecasts", queryset=Forecast.objects.order_by("replaced_at", "pk")
            )
        )
    )
    for milestone in moved.in_timeline_order():
        forecasts = list(milestone.forecasts.all())
        first_end, now_end = _end_anchor(forecasts[0]), _end_anchor(milestone)
        if first_end and now_end and now_end > first_end:
            result.moved.append(Moved(milestone, forecasts[0], len(forecasts)))
    return result


# Proposals ------------------------------------------------------------------


def proposal_list(*, filters: ProposalFilters) -> list[Proposal]:
    """The proposals that pass the filters, in the order of the source (3 queries).

    Each has `status_since`: the date of its latest follow-up update.
    """
    proposals = (
        filters.apply(Proposal.objects.all())
        .select_related("proposed_by")
        .prefetch_related("addressed_to", "issues")
        .annotate(status_since=Max("updates__date"))
        .order_by("pk")
    )
    return list(proposals)


def proposal_detail(*, slug: str) -> Proposal | None:
    """One proposal with its follow-up updates, addressees, issues and milestones."""
    return (
        Proposal.objects.filter(slug=slug)
        .select_related("proposed_by")
        .prefetch_related(
            "addressed_to",
            "issues",
            Prefetch(
                "updates",
                queryset=ProposalUpdate.objects.select_related("created_by").order_by(
                    "date", "pk"
                ),
            ),
            Prefetch("milestones", queryset=Milestone.objects.in_timeline_order()),
        )
        .first()
    )
