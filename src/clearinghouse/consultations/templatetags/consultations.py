"""Template helpers of the consultations: safe text, languages, outcomes."""

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from ..selectors import author_name, outcomes_for
from ..text import render_text

register = template.Library()


@register.filter
def contribution_html(text: str):
    """A participant's text as inert HTML (see consultations.text)."""
    return render_text(text)


@register.filter
def language_name(code: str) -> str:
    """The name of a working language in the reader's language."""
    names = dict(settings.LANGUAGES)
    return str(_(names[code])) if code in names else _("language not recognized")


@register.filter
def shown_author(contribution) -> str:
    """The author's name where they consented to show it."""
    return author_name(contribution)


@register.inclusion_tag("consultations/_outcomes.html")
def consultation_outcomes(
    issue=None, institution=None, milestone=None, proposal=None
) -> dict:
    """The consultations about a subject, with their outcomes, for its page."""
    return {
        "consultations": list(
            outcomes_for(
                issue=issue,
                institution=institution,
                milestone=milestone,
                proposal=proposal,
            )
        )
    }


@register.filter
def get_vote(votes: dict, statement_id: int):
    """The reader's vote on a statement, or None."""
    return votes.get(statement_id)
