"""Template tags: "more like this" for a document's page."""

from django import template

from clearinghouse.library.models import Document

from .. import encoder, selectors

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
