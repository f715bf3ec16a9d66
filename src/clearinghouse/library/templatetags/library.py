"""Template tags other apps' pages use to list the library's documents."""

from django import template

from clearinghouse.library import selectors

register = template.Library()


@register.simple_tag
def issue_documents(issue) -> list:
    """Published documents tagged with an issue, newest first."""
    return selectors.documents_for_issue(issue=issue)


@register.simple_tag
def institution_documents(institution) -> list:
    """Published documents an institution published, newest first."""
    return selectors.documents_for_institution(institution=institution)
