"""Rows of event lists as HTML, assembled in one pass.

The month view shows up to thousands of events; rendering each row through
the template engine cost about 0.6 ms, twice the rest of the page per event
(measured by bench/events.py). Rows are assembled here from pieces escaped
once, the same for every list (upcoming, past, month, overlapping events).
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import EventKind, EventStatus

_MARKED = (EventStatus.CANCELLED, EventStatus.POSTPONED)
_QUIET = (EventStatus.CONFIRMED, EventStatus.ANNOUNCED)


class _Pieces:
    """Escaped labels, read once per table in the active language."""

    def __init__(self) -> None:
        self.language = get_language() or "en"
        self.kinds = {code: escape(str(label)) for code, label in EventKind.choices}
        self.statuses = {
            code: escape(str(label)) for code, label in EventStatus.choices
        }
        self.event_time = escape(_("Event's time:"))
        self.all_day = escape(_("All day"))
        self.unknown = escape(_("Date not known"))
        self.online = escape(_("Online"))
        self.remote = escape(_("Remote participation"))
        self.captions = escape(_("captions"))
        self.interpretation = escape(_("interpretation"))


def _when(item, pieces: _Pieces) -> str:
    when = item.when
    if when is None:
        return escape(item.date_note) if item.date_note else pieces.unknown
    html = f'<time datetime="{when.iso_start}">{escape(when.visitor)}</time>'
    if not when.same_zone:
        html += f"<br><small>{pieces.event_time} {escape(when.own)}</small>"
    elif when.all_day:
        html += f"<br><small>{pieces.all_day}</small>"
    return html


def _title(item, pieces: _Pieces) -> str:
    lang = (
        f' lang="{item.title_language}" dir="auto"'
        if item.title_language != pieces.language
        else ""
    )
    html = f'<a href="{item.url}"{lang}>{escape(item.title)}</a>'
    if item.status not in _QUIET:
        html += f" <small>({pieces.statuses[item.status]})</small>"
    return html


def _where(item, pieces: _Pieces) -> str:
    html = escape(item.place)
    if item.remote:
        mode = pieces.online if item.online else pieces.remote
        if item.captioning:
            mode += f" · {pieces.captions}"
        if item.interpretation:
            mode += f" · {pieces.interpretation}"
        html += f"{'<br>' if html else ''}<small>{mode}</small>"
    return html


def event_rows(items) -> SafeString:
    """The <tr> rows of a table of events (When, Event, Kind, Where, Languages)."""
    pieces = _Pieces()
    rows = []
    for item in items:
        css = f' class="s-{item.status}"' if item.status in _MARKED else ""
        languages = " ".join(
            f'<abbr lang="{code}">{code}</abbr>' for code in item.languages
        )
        rows.append(
            f"<tr{css}><td>{_when(item, pieces)}</td>"
            f'<th scope="row">{_title(item, pieces)}</th>'
            f"<td>{pieces.kinds[item.kind]}</td>"
            f"<td>{_where(item, pieces)}</td><td>{languages}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - assembled from escaped parts
