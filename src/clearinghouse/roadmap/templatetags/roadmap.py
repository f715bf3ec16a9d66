"""Template filters of the road map: expected spans in words."""

from django import template

from clearinghouse.roadmap import rendering

register = template.Library()


@register.filter
def start_text(span) -> str:
    """When the span is expected to start, in words."""
    return rendering.start_text(span)


@register.filter
def end_text(span) -> str:
    """When the span is expected to end, in words."""
    return rendering.end_text(span)


@register.filter
def lang_attrs(obj, field_name: str) -> str:
    """lang and dir attributes for a translated field shown in its fallback
    language ("" when it is in the page's language)."""
    return rendering.lang_attributes(obj, field_name)
