"""Participants' text made safe to show: plain text, links inert unless web links.

Contributions are plain text. Before display every one goes through nh3 with
no tags allowed (so markup is shown as text, never run), direction-override
characters are neutralized (they can make a link or a name read backwards),
and only http(s) addresses become links, with rel="nofollow ugc noopener".
`javascript:`, `data:` and every other scheme stay plain text.
"""

import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Bidirectional embeddings, overrides and isolates (U+202A–U+202E,
# U+2066–U+2069): removed, so one contribution cannot reorder the page.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], None)
_URL = re.compile(r"\bhttps?://[^\s<>\"'\u3000]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»”’。，；：！？）"
LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|info|biz|ru|cn|xyz|top)\b",
    re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """Stored form: no NUL, no direction overrides, newlines normalized."""
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_BIDI_CONTROLS).strip()


def count_links(text: str) -> int:
    """Addresses in a text, with or without a scheme (spam counts both)."""
    return len(LINK.findall(text))


def render_text(text: str) -> SafeString:
    """HTML for a contribution: paragraphs, safe links, everything else inert."""
    parts = []
    for paragraph in clean_text(text).split("\n\n"):
        parts.append("<p>" + _linked(paragraph).replace("\n", "<br>") + "</p>")
    html = "".join(parts)
    # A last pass through nh3 with only the tags we emit: whatever slipped
    # through is removed, and link attributes are set by nh3 itself.
    html = nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener",
    )
    return mark_safe(html)  # noqa: S308 - nh3 has just cleaned it


def _linked(paragraph: str) -> str:
    out, last = [], 0
    for match in _URL.finditer(paragraph):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(escape(paragraph[last : match.start()]))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = end
    out.append(escape(paragraph[last:]))
    return "".join(out)
