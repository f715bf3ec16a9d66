"""Writes to the road map: milestones, their spans and dependencies; proposals
and their follow-up updates."""

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clearinghouse.core.services import LoadReport, upsert

from .models import (
    SPAN_FIELDS,
    Forecast,
    Milestone,
    Proposal,
    ProposalStatus,
    ProposalUpdate,
)

logger = logging.getLogger(__name__)

# The relations of a milestone that milestone_relations_set() can replace.
MILESTONE_RELATIONS = ("issues", "institutions", "events", "proposals", "depends_on")


def session_key_for(session: str) -> str:
    """The identifier of a session in filters: its English name as a slug."""
    return slugify(session)[:200].strip("-")


def _relations_replace(obj, relations: dict) -> bool:
    """Replace many-to-many relations (None leaves one as it is); True if changed.

    The public history gets one new version with every relation, rather
    than one version per relation set.
    """
    changed = False
    obj.skip_history_when_saving = True
    try:
        for name, targets in relations.items():
            if targets is None:
                continue
            manager = getattr(obj, name)
            wanted = [target.pk for target in targets]
            if set(wanted) != set(manager.values_list("pk", flat=True)):
                manager.set(wanted)
                changed = True
    finally:
        del obj.skip_history_when_saving
    if changed:
        obj.save(update_fields=["updated_at"])
    return changed


# Milestones -----------------------------------------------------------------


def dependency_cycle(
    *, milestone: Milestone | None, depends_on: Iterable[Milestone]
) -> list[str]:
    """The slugs of a cycle that these dependencies would make, or [] if none.

    Reads every dependency edge once (one query), then walks from each new
    prerequisite: a path back to `milestone` closes a cycle.
    """
    targets = list(depends_on)
    if milestone is None or milestone.pk is None:
        return []
    if any(target.pk == milestone.pk for target in targets):
        return [milestone.slug, milestone.slug]
    edges: dict[int, list[int]] = {}
    through = Milestone.depends_on.through
    for source_id, target_id in through.objects.exclude(
        from_milestone_id=milestone.pk
    ).values_list("from_milestone_id", "to_milestone_id"):
        edges.setdefault(source_id, []).append(target_id)
    edges[milestone.pk] = [target.pk for target in targets]
    # Depth-first search from the milestone, without recursion (chains may be
    # long); `path` is the chain of milestones from it to the current one.
    start = milestone.pk
    path: list[int] = [start]
    stack = [iter(edges.get(start, ()))]
    seen = {start}
    while stack:
        for target in stack[-1]:
            if target == start:
                path.append(start)
                stack.clear()
                break
            if target not in seen:
                seen.add(target)
                path.append(target)
                stack.append(iter(edges.get(target, ())))
                break
        else:
            stack.pop()
            path.pop()
    if not path or path[-1] != start or len(path) < 2:
        return []
    slugs = dict(Milestone.objects.filter(pk__in=path).values_list("pk", "slug"))
    return [slugs[pk] for pk in path]


def dependencies_check(
    *, milestone: Milestone | None, depends_on: Iterable[Milestone]
) -> None:
    """Raise a ValidationError naming the cycle the dependencies would make."""
    cycle = dependency_cycle(milestone=milestone, depends_on=depends_on)
    if cycle:
        raise ValidationError(
            {
                "depends_on": _(
                    "These dependencies would make a cycle: %(cycle)s. "
                    "A milestone cannot depend, directly or through others, "
                    "on itself."
                )
                % {"cycle": " → ".join(cycle)}
            }
        )


def _span_of(obj) -> dict[str, date | None]:
    return {name: getattr(obj, name) for name in SPAN_FIELDS}


@transaction.atomic
def forecast_keep(*, milestone: Milestone, by, reason: str) -> Forecast:
    """Keep the span a milestone has in the database, before it is replaced."""
    stored = Milestone.objects.get(pk=milestone.pk)
    forecast = Forecast(
        milestone=milestone,
        span_note=stored.span_note_en or "",
        replaced_by=by,
        reason=reason,
        **_span_of(stored),
    )
    forecast.full_clean()
    forecast.save()
    return forecast


@transaction.atomic
def milestone_create(
    *,
    slug: str,
    title: str,
    status: str,
    description: str = "",
    span_note: str = "",
    earliest_start: date | None = None,
    latest_start: date | None = None,
    earliest_end: date | None = None,
    latest_end: date | None = None,
    source_quote: str = "",
    source_url: str = "",
    source_title: str = "",
    **relations,
) -> Milestone:
    """Create a milestone (texts in the active language) and its relations."""
    milestone = Milestone(
        slug=slug,
        title=title,
        status=status,
        description=description,
        span_note=span_note,
        earliest_start=earliest_start,
        latest_start=latest_start,
        earliest_end=earliest_end,
        latest_end=latest_end,
        source_quote=source_quote,
        source_url=source_url,
        source_title=source_title,
    )
    milestone.full_clean()
    milestone.save()
    if relations:
        milestone_relations_set(milestone=milestone, **relations)
    return milestone


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, by=None, reason: str = "", **changes
) -> Milestone:
    """Change a milestone's fields; a changed span keeps the old one as a forecast.

    A change of span needs a reason: it is shown with the old forecast.
    """
    relations = {
        name: changes.pop(name) for name in MILESTONE_RELATIONS if name in changes
    }
    span_changed = any(
        name in changes and changes[name] != getattr(milestone, name)
        for name in SPAN_FIELDS
    )
    if span_changed and not reason.strip():
        raise ValidationError({"reason": _("Say why the expected time span changes.")})
    for name, value in changes.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    if span_changed:
        forecast_keep(milestone=milestone, by=by, reason=reason.strip())
    if reason:
        milestone._change_reason = reason.strip()[:100]
    milestone.save()
    if relations:
        milestone_relations_set(milestone=milestone, **relations)
    return milestone


@transaction.atomic
def milestone_relations_set(*, milestone: Milestone, **relations) -> bool:
    """Make the given relations exactly these records; True if any changed.

    `depends_on` is refused if it would make a cycle.
    """
    unknown = set(relations) - set(MILESTONE_RELATIONS)
    if unknown:
        raise TypeError(f"unknown relations: {sorted(unknown)}")
    if relations.get("depends_on") is not None:
        dependencies_check(milestone=milestone, depends_on=relations["depends_on"])
    return _relations_replace(milestone, relations)


@transaction.atomic
def milestone_upsert(*, slug: str, values: dict, report: LoadReport) -> Milestone:
    """Create or update a milestone by slug for a loader, writing only changes.

    A changed span keeps the old one as a forecast, with the load's reason.
    """
    stored = Milestone.objects.filter(slug=slug).first()
    if stored is not None and any(
        name in values and values[name] != getattr(stored, name) for name in SPAN_FIELDS
    ):
        forecast_keep(
            milestone=stored,
            by=None,
            reason=report.reason or _("The dataset gives a new span."),
        )
    return upsert(
        Milestone,
        lookup={"slug": slug},
        values=values,
        report=report,
        kind="milestones",
    )


# Proposals ------------------------------------------------------------------


@transaction.atomic
def proposal_upsert(*, slug: str, values: dict, report: LoadReport) -> Proposal:
    """Create or update a proposal by slug, writing only what changed.

    The status is not a loader's to set: it follows the follow-up updates.
    """
    values = {key: value for key, value in values.items() if key != "status"}
    return upsert(
        Proposal,
        lookup={"slug": slug},
        values=values,
        report=report,
        kind="proposals",
    )


@transaction.atomic
def proposal_relations_set(*, proposal: Proposal, addressed_to=None, issues=None):
    """Make the proposal's addressees and issues exactly these; True if changed."""
    return _relations_replace(
        proposal, {"addressed_to": addressed_to, "issues": issues}
    )


@transaction.atomic
def proposal_status_sync(*, proposal: Proposal, reason: str = "") -> bool:
    """Set the proposal's status to that of its latest update; True if changed."""
    latest = proposal.updates.order_by("-date", "-pk").first()
    status = latest.status if latest else ProposalStatus.PROPOSED
    if proposal.status == status:
        return False
    proposal.status = status
    if reason:
        proposal._change_reason = reason[:100]
    proposal.full_clean()
    proposal.save()
    return True


@transaction.atomic
def proposal_update_add(
    *,
    proposal: Proposal,
    date: date,
    status: str,
    note: str = "",
    source_quote: str = "",
    source_url: str = "",
    source_title: str = "",
    by=None,
) -> ProposalUpdate:
    """Record a dated follow-up; the proposal takes the status of its latest one.

    The note goes to the active language. The proposal's earlier statuses stay
    in its public history.
    """
    update = ProposalUpdate(
        proposal=proposal,
        date=date,
        status=status,
        note=note,
        source_quote=source_quote,
        source_url=source_url,
        source_title=source_title,
        created_by=by,
    )
    update.full_clean()
    update.save()
    proposal_status_sync(
        proposal=proposal, reason=_("Follow-up of %(date)s") % {"date": date}
    )
    logger.info(
        "roadmap.proposal.update_added",
        extra={"proposal": proposal.slug, "status": status, "date": str(date)},
    )
    return update


@transaction.atomic
def proposal_update_upsert(
    *, proposal: Proposal, origin_key: str, values: dict, report: LoadReport
) -> ProposalUpdate:
    """Create or update a follow-up by its key in a dataset, writing only changes."""
    return upsert(
        ProposalUpdate,
        lookup={"proposal": proposal, "origin_key": origin_key},
        values=values,
        report=report,
        kind="proposal follow-ups",
    )
