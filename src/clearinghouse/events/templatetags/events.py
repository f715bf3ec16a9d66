"""Template helpers of the events pages."""

from django import template

from clearinghouse.events.rendering import event_rows as _event_rows

register = template.Library()


@register.filter
def event_rows(items):
    """The table rows of a list of events, assembled in Python (see rendering)."""
    return _event_rows(items)
