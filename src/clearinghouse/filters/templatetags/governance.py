"""Template tags of the governance filters: an issue's latest outcome, for the
issue and matrix cell pages, and an assessment's public author name."""

from django import template

from clearinghouse.filters import selectors

register = template.Library()


@register.inclusion_tag("filters/_latest.html")
def filter_outcome(issue) -> dict:
    """The issue's latest filter outcome with a link to its reason."""
    return {"issue": issue, "latest": selectors.latest_outcome(issue)}


@register.filter
def public_author(assessment) -> str:
    """The author's name where they consented to show it, else ""."""
    return selectors.author_name(assessment)
