"""Template helpers: language switcher links, query strings that keep filters,
and curated text marked with its language when it is not the page's."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info

from clearinghouse.core.languages import marked_html

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """For each language: its code, its own name and this page's URL in it."""
    request = context["request"]
    query = request.META.get("QUERY_STRING", "")
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        url = translate_url(request.path, code)
        if query:
            url = f"{url}?{query}"
        links.append(
            {"code": code, "name": info["name_local"], "url": url, "bidi": info["bidi"]}
        )
    return links


@register.simple_tag
def query_with(pairs, **extra) -> str:
    """A query string of the filter pairs plus extra parameters (empty ones dropped)."""
    items = list(pairs or [])
    items += [(key, value) for key, value in extra.items() if value not in ("", None)]
    return urlencode(items)


@register.simple_tag
def translated(obj, field: str) -> SafeString:
    """A curated record's translated field, marked "(in English)" when it falls back.

    Usage: {% translated issue "name" %}. Text in the page's language is
    printed as is; text shown in its original language is wrapped in a
    span with its lang and dir, followed by a small translated label.
    """
    return marked_html(obj, field)
