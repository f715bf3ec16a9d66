"""The tables behind the proposal and milestone exports: columns and rows.

The API answers with the same rows, so a filter selects the same records on
the page, in every export and in the API.
"""

from django.utils.translation import gettext_lazy as _

from clearinghouse.core.exporters import Column

from .selectors import url_maker

PROPOSAL_COLUMNS = [
    Column("slug", _("Proposal (identifier)")),
    Column("text", _("Text")),
    Column("session", _("Session (identifier)")),
    Column("session_name", _("Session")),
    Column("proposed_by", _("Proposed by")),
    Column("proposed_by_group", _("Stakeholder group")),
    Column("addressed_to", _("Addressed to")),
    Column("issues", _("Issues")),
    Column("status", _("Status")),
    Column("status_since", _("Status since")),
    Column("source_quote", _("Source")),
]


def proposal_rows(proposals) -> list[dict]:
    """One row per proposal, in the page's order (from selectors.proposal_list)."""
    return [
        {
            "slug": proposal.slug,
            "text": proposal.text,
            "session": proposal.session_key,
            "session_name": proposal.session,
            "proposed_by": proposal.proposed_by.slug if proposal.proposed_by else "",
            "proposed_by_group": proposal.proposed_by_group,
            "addressed_to": [i.slug for i in proposal.addressed_to.all()],
            "issues": [i.slug for i in proposal.issues.all()],
            "status": proposal.status,
            "status_since": (
                proposal.status_since.isoformat() if proposal.status_since else None
            ),
            "source_quote": proposal.source_quote,
        }
        for proposal in proposals
    ]


MILESTONE_COLUMNS = [
    Column("slug", _("Milestone (identifier)")),
    Column("title", _("Title")),
    Column("status", _("Status")),
    Column("earliest_start", _("Earliest start")),
    Column("latest_start", _("Latest start")),
    Column("earliest_end", _("Earliest end")),
    Column("latest_end", _("Latest end")),
    Column("span_note", _("Note on the time span")),
    Column("issues", _("Issues")),
    Column("institutions", _("Institutions")),
    Column("events", _("Events")),
    Column("proposals", _("Proposals")),
    Column("depends_on", _("Depends on")),
    Column("url", _("Page")),
]


def _iso(value):
    return value.isoformat() if value else None


def milestone_rows(milestones, *, absolute=lambda path: path) -> list[dict]:
    """One row per milestone (from selectors.milestone_list with relations,
    so that each has `keys`)."""
    page = url_maker("roadmap:milestone")
    return [
        {
            "slug": m.slug,
            "title": m.title,
            "status": m.status,
            "earliest_start": _iso(m.earliest_start),
            "latest_start": _iso(m.latest_start),
            "earliest_end": _iso(m.earliest_end),
            "latest_end": _iso(m.latest_end),
            "span_note": m.span_note,
            "issues": m.keys["issues"],
            "institutions": m.keys["institutions"],
            "events": m.keys["events"],
            "proposals": m.keys["proposals"],
            "depends_on": m.keys["depends_on"],
            "url": absolute(page(m.slug)),
        }
        for m in milestones
    ]
