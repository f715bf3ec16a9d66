"""Template helpers of the participation page."""

from django import template
from django.utils.translation import gettext as _

from clearinghouse.events.participation import number

register = template.Library()


@register.filter
def share_of(mapping: dict, key: str) -> str:
    """A share in per cent from a dict, or a dash when not reported."""
    value = mapping.get(key) if mapping else None
    return percent(value)


@register.filter
def percent(value) -> str:
    """A share in per cent, or a dash when not reported."""
    if value is None:
        return "–"
    return _("%(share)s %%") % {"share": number(value)}
