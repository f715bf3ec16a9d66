"""Loading the roadmap part of the Forum 2004 dataset (called by datasets.forum2004).

Proposals first, each with its first follow-up update (the summary's footnote:
none was endorsed), then milestones with their relations and dependencies.
Everything goes through this app's services and writes only what differs, so
a second load writes nothing.
"""

import datetime
import logging

from clearinghouse.core.languages import translated_values
from clearinghouse.datasets.context import LoadContext
from clearinghouse.events.models import Event

from . import services
from .models import Milestone, Proposal, ProposalStatus

logger = logging.getLogger(__name__)

# The day the Forum closed, and the summary's footnote on its proposals: the
# starting point of every proposal's follow-up.
FORUM_CLOSED = datetime.date(2004, 3, 26)
FOOTNOTE = (
    "These proposals were not fully discussed at the Global Forum, nor was "
    "consensus necessarily reached. Neither the United Nations ICT Task Force "
    "nor the Global Forum have endorsed these recommendations."
)
INITIAL_UPDATE_KEY = "forum2004:summary-footnote"
INITIAL_NOTE = {
    "en": (
        "Made at the Global Forum on Internet Governance and reproduced in its "
        "informal summary as formulated. It was not fully discussed, consensus "
        "was not necessarily reached, and neither the UN ICT Task Force nor the "
        "Forum endorsed it."
    ),
    "fr": (
        "Formulée lors du Forum mondial sur la gouvernance de l'Internet et "
        "reproduite telle quelle dans son résumé informel. Elle n'a pas été "
        "examinée à fond, un consensus n'a pas nécessairement été atteint, et ni "
        "l'Équipe spéciale des Nations Unies sur les TIC ni le Forum ne l'ont "
        "approuvée."
    ),
    "es": (
        "Formulada en el Foro Mundial sobre la Gobernanza de Internet y "
        "reproducida tal cual en su resumen oficioso. No se examinó a fondo, no "
        "se llegó necesariamente a un consenso y ni el Grupo de Tareas de las "
        "Naciones Unidas sobre las TIC ni el Foro la hicieron suya."
    ),
}
SPAN_KEYS = ("earliest_start", "latest_start", "earliest_end", "latest_end")


def event_uid(meeting_slug: str) -> str:
    """The iCalendar UID the events app gives a meeting of this dataset."""
    return f"{meeting_slug}@forum2004.clearinghouse"


def _date(value) -> datetime.date | None:
    """A YAML date (parsed already) or ISO string; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _proposals(context: LoadContext) -> dict[str, Proposal]:
    proposals: dict[str, Proposal] = {}
    footnote = context.source_values({"source": {"quote": FOOTNOTE}})
    for record in context.records["proposals"]:
        context.where.current = f"proposals.yaml {record['slug']}"
        session = str(record.get("session") or "")
        proposed_by = context.institutions.get(record.get("proposed_by") or "")
        group = record.get("stakeholder_group") or (
            proposed_by.stakeholder_group if proposed_by else ""
        )
        before = context.report.unchanged.get("proposals", 0)
        proposal = services.proposal_upsert(
            slug=record["slug"],
            values={
                **context.translated(record, "text", "text"),
                **translated_values("session", {"en": session}),
                "session_key": services.session_key_for(session),
                "proposed_by_id": proposed_by.pk if proposed_by else None,
                "proposed_by_group": group,
                **context.source_values(record),
            },
            report=context.report,
        )
        if services.proposal_relations_set(
            proposal=proposal,
            addressed_to=[
                context.institutions[slug] for slug in record.get("addressed_to") or []
            ],
            issues=[context.issues[slug] for slug in record.get("issues") or []],
        ):
            _count_as_updated(context, "proposals", before)
        services.proposal_update_upsert(
            proposal=proposal,
            origin_key=INITIAL_UPDATE_KEY,
            values={
                "date": FORUM_CLOSED,
                "status": ProposalStatus.PROPOSED,
                **translated_values("note", INITIAL_NOTE),
                **footnote,
            },
            report=context.report,
        )
        services.proposal_status_sync(proposal=proposal, reason=context.report.reason)
        proposals[proposal.slug] = proposal
    return proposals


def _count_as_updated(context: LoadContext, kind: str, before: int) -> None:
    """A record just counted unchanged whose relations changed counts as updated.

    `before` is the unchanged tally of `kind` before the record was written.
    """
    report = context.report
    if report.unchanged.get(kind, 0) > before:
        report.unchanged[kind] -= 1
        report.count(kind, "updated")


def _milestones(context: LoadContext, proposals: dict[str, Proposal]) -> None:
    records = context.records["milestones"]
    uids = {
        event_uid(slug): slug
        for record in records
        for slug in record.get("events") or []
    }
    events = {
        uids[event.uid]: event for event in Event.objects.filter(uid__in=list(uids))
    }
    milestones: dict[str, Milestone] = {}
    unchanged: dict[str, bool] = {}
    # Meetings the events app did not create (e.g. with no known date): the
    # relation is left out rather than an event invented.
    missing: set[str] = set()
    for record in records:
        context.where.current = f"milestones.yaml {record['slug']}"
        note = record.get("span_note")
        before = context.report.unchanged.get("milestones", 0)
        milestones[record["slug"]] = services.milestone_upsert(
            slug=record["slug"],
            values={
                **context.translated(record, "title", "title"),
                **context.translated(record, "description", "description"),
                **translated_values("span_note", {"en": str(note or "").strip()}),
                **{key: _date(record.get(key)) for key in SPAN_KEYS},
                "status": record["status"],
                **context.source_values(record),
            },
            report=context.report,
        )
        unchanged[record["slug"]] = (
            context.report.unchanged.get("milestones", 0) > before
        )
    for record in records:
        context.where.current = f"milestones.yaml {record['slug']}"
        missing.update(
            slug for slug in record.get("events") or [] if slug not in events
        )
        if (
            services.milestone_relations_set(
                milestone=milestones[record["slug"]],
                issues=[context.issues[slug] for slug in record.get("issues") or []],
                institutions=[
                    context.institutions[slug]
                    for slug in record.get("institutions") or []
                ],
                events=[
                    events[slug]
                    for slug in record.get("events") or []
                    if slug in events
                ],
                proposals=[proposals[slug] for slug in record.get("proposals") or []],
                depends_on=[
                    milestones[slug] for slug in record.get("depends_on") or []
                ],
            )
            and unchanged[record["slug"]]
        ):
            # Counted unchanged above, yet its relations changed.
            unchanged[record["slug"]] = False
            context.report.unchanged["milestones"] -= 1
            context.report.count("milestones", "updated")
    if missing:
        logger.debug(
            "roadmap.dataset.events_missing", extra={"meetings": sorted(missing)}
        )


def forum2004_load(context: LoadContext) -> None:
    """Create or update this app's records of the Forum 2004 dataset."""
    proposals = _proposals(context)
    _milestones(context, proposals)
