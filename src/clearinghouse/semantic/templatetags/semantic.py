"""Template tags: "more like this" on a document's page, the library search's switch."""

import dataclasses

from django import template

from clearinghouse.library.models import Document

from .. import encoder, selectors
from ..search import Mode

register = template.Library()


@register.inclusion_tag("semantic/_more_like_this.html", takes_context=True)
def more_like_this(context, document: Document, k: int = 5) -> dict:
    """The documents closest in meaning to this one, in any language."""
    try:
        similar = selectors.more_like_this(document, k=k)
    except encoder.EncoderUnavailable:
        similar = []
    return {
        "document": document,
        "similar": similar,
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE", ""),
    }


@register.inclusion_tag("semantic/_search_modes.html")
def search_modes(query, page=None) -> dict:
    """The library search form's switch: words and meaning, words, meaning."""
    mode = getattr(page, "mode", "") or query.mode or Mode.BLEND
    return {"modes": Mode.CHOICES, "checked": mode}


@register.inclusion_tag("semantic/_search_notes.html")
def search_notes(query, page) -> dict:
    """What a library search page says about how it found its documents."""
    words = dataclasses.replace(query, mode=Mode.WORDS, page=1)
    return {"page": page, "words_query": words.query_string()}
