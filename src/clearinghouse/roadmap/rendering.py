"""The road map drawn on the server: a timeline as SVG geometry, and spans in words.

The timeline is laid out here in Python (one pass over the milestones) and
written out by a template, so it reads without JavaScript. Coordinates are
formatted here as plain strings: a localized template would write "12,5" in
French, which is not a number in SVG. In right-to-left languages time runs
from right to left and the labels stand on the right.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from .models import SPAN_FIELDS, MilestoneStatus

WIDTH = 1000
LABEL_WIDTH = 330
PAD = 10
ROW_HEIGHT = 22
HEAD = 34
FOOT = 12
LABEL_CHARS = 48

# Fill colours by status (contrast ≥ 4.5:1 on white for the solid part).
STATUS_COLOURS = {
    MilestoneStatus.FORESEEN: "#0b5394",
    MilestoneStatus.UNDER_WAY: "#2e6b30",
    MilestoneStatus.REACHED: "#4d4d4d",
    MilestoneStatus.SLIPPED: "#a14a00",
    MilestoneStatus.DROPPED: "#8a1c1c",
}


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def range_text(first: date | None, last: date | None) -> str:
    """A range of possible dates in words: "between … and …", "not before …"."""
    if first is None and last is None:
        return _("unknown")
    if first is not None and last is not None:
        if first == last:
            return _day(first)
        return _("between %(first)s and %(last)s") % {
            "first": _day(first),
            "last": _day(last),
        }
    if first is not None:
        return _("not before %(date)s") % {"date": _day(first)}
    return _("not after %(date)s") % {"date": _day(last)}


def start_text(span) -> str:
    """When the span is expected to start, in words."""
    return range_text(span.earliest_start, span.latest_start)


def end_text(span) -> str:
    """When the span is expected to end, in words."""
    return range_text(span.earliest_end, span.latest_end)


def span_text(span) -> str:
    """The whole expected span in one sentence."""
    return _("Start: %(start)s; end: %(end)s.") % {
        "start": start_text(span),
        "end": end_text(span),
    }


@dataclass
class TimelineItem:
    """What the timeline draws for one row: a label, a status and a span."""

    key: str
    title: str
    url: str
    status: str
    status_label: str
    earliest_start: date | None = None
    latest_start: date | None = None
    earliest_end: date | None = None
    latest_end: date | None = None
    # The language the title is written in, where it differs from the page's
    # (an untranslated title shown in its original language).
    title_lang: str = ""

    @property
    def known(self) -> list[date]:
        """The known bounds."""
        values = (getattr(self, name) for name in SPAN_FIELDS)
        return [value for value in values if value is not None]


def item_from(
    obj, *, key: str, title: str, url: str = "", title_lang: str = ""
) -> TimelineItem:
    """A timeline item from any record with a span and a status."""
    status = getattr(obj, "status", MilestoneStatus.FORESEEN)
    return TimelineItem(
        key=key,
        title=title,
        url=url,
        status=status,
        status_label=str(MilestoneStatus(status).label),
        title_lang=title_lang,
        **{name: getattr(obj, name) for name in SPAN_FIELDS},
    )


@dataclass
class Tick:
    """A date on the axis; the first and last labels stay inside the drawing."""

    x: str
    label: str
    anchor: str = "middle"


@dataclass
class Segment:
    """A horizontal piece of a row: x and width, as SVG numbers."""

    x: str
    width: str
    end: str


@dataclass
class Row:
    """One drawn row: label, bars, markers and the sentence a reader hears."""

    key: str
    url: str
    label: str
    title: str
    summary: str
    status: str
    colour: str
    y: str
    bar_y: str
    text_y: str
    lang: str = ""
    direction: str = ""
    anchor: str = "start"
    markup: str = ""
    outer: Segment | None = None
    core: Segment | None = None
    point: str = ""
    before: Segment | None = None
    after: Segment | None = None


@dataclass
class Timeline:
    """A timeline ready to be written out as SVG."""

    width: int
    height: int
    rtl: bool
    label_x: str
    axis_y: str
    chart_top: str
    chart_bottom: str
    ticks: list[Tick] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    today_x: str = ""
    undated: list[TimelineItem] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        """The SVG viewBox."""
        return f"0 0 {self.width} {self.height}"


def _num(value: float) -> str:
    return f"{value:.1f}"


def _ticks(first: date, last: date) -> list[date]:
    """Year starts, or quarter starts over two years or less; about 12 at most.

    `first` and `last` are 1 January of the first and of the year after the
    last year shown; both are ticks.
    """
    years = list(range(first.year, last.year))
    if len(years) <= 2:
        days = [date(year, month, 1) for year in years for month in (1, 4, 7, 10)]
    else:
        step = max(1, math.ceil(len(years) / 12))
        days = [date(year, 1, 1) for year in years[::step]]
    return [*days, last] if days[-1] != last else days


def _short(title: str) -> str:
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1] + "…"


def timeline_build(
    items: Sequence[TimelineItem], *, rtl: bool, today: date
) -> Timeline:
    """Lay out the items as rows on a shared time axis (dated items only)."""
    dated = [item for item in items if item.known]
    undated = [item for item in items if not item.known]
    height = HEAD + ROW_HEIGHT * max(len(dated), 1) + FOOT
    chart_left = PAD if rtl else LABEL_WIDTH + PAD
    chart_right = WIDTH - LABEL_WIDTH - PAD if rtl else WIDTH - PAD
    timeline = Timeline(
        width=WIDTH,
        height=height,
        rtl=rtl,
        label_x=_num(WIDTH - PAD if rtl else PAD),
        axis_y=_num(HEAD - 14),
        chart_top=_num(HEAD - 8),
        chart_bottom=_num(height - FOOT + 4),
        undated=undated,
    )
    if not dated:
        return timeline
    first = date(min(min(item.known) for item in dated).year, 1, 1)
    last = date(max(max(item.known) for item in dated).year + 1, 1, 1)
    total = (last - first).days
    scale = (chart_right - chart_left) / total

    def x_of(day: date) -> float:
        offset = (day - first).days * scale
        return chart_right - offset if rtl else chart_left + offset

    def segment(start: date, end: date) -> Segment:
        """From the start of one day to the end of another, at least 3 units."""
        a, b = x_of(start), x_of(end + timedelta(days=1))
        low, high = min(a, b), max(a, b)
        width = max(high - low, 3.0)
        return Segment(_num(low), _num(width), _num(low + width))

    def edge_to(day: date, *, before: bool) -> Segment:
        point = x_of(day)
        edge = (
            (chart_right if rtl else chart_left)
            if before
            else (chart_left if rtl else chart_right)
        )
        low, high = min(point, edge), max(point, edge)
        return Segment(_num(low), _num(high - low), _num(high))

    days = _ticks(first, last)
    timeline.ticks = [
        Tick(
            _num(x_of(day)),
            date_format(day, "Y" if day.month == 1 else "M Y"),
            # Within the drawing: "start" and "end" follow its direction.
            "start" if day == first else "end" if day == last else "middle",
        )
        for day in days
    ]
    if first <= today < last:
        timeline.today_x = _num(x_of(today))
    for index, item in enumerate(dated):
        top = HEAD + index * ROW_HEIGHT
        low, high = min(item.known), max(item.known)
        row = Row(
            key=item.key,
            url=item.url,
            label=_short(item.title),
            title=item.title,
            summary=" — ".join(filter(None, [item.title, item.status_label]))
            + f". {span_text(item)}",
            status=item.status,
            colour=STATUS_COLOURS.get(item.status, "#0b5394"),
            y=_num(top),
            bar_y=_num(top + 5),
            text_y=_num(top + 15),
        )
        if item.title_lang:
            # A title in another language keeps its own direction, and its end
            # (not its start) against the edge.
            row.lang = item.title_lang
            if get_language_info(item.title_lang)["bidi"] != rtl:
                row.direction = "rtl" if not rtl else "ltr"
                row.anchor = "end"
        if low == high:
            # A diamond on the middle of the day.
            middle = x_of(low) + (-scale if rtl else scale) / 2
            row.point = f"M{middle:.1f} {top + 4:.1f} l6 7 l-6 7 l-6 -7 z"
        else:
            row.outer = segment(low, high)
        if (
            item.latest_start is not None
            and item.earliest_end is not None
            and item.latest_start <= item.earliest_end
            and low != high
        ):
            # Certainly under way between the latest start and the earliest end.
            row.core = segment(item.latest_start, item.earliest_end)
        if item.earliest_start is None:
            row.before = edge_to(low, before=True)
        if item.latest_end is None:
            row.after = edge_to(high, before=False)
        row.markup = row_markup(row, label_x=timeline.label_x)
        timeline.rows.append(row)
    return timeline


def row_markup(row: Row, *, label_x: str) -> str:
    """One row as SVG: a link holding the label, the bars and the markers.

    Assembled here from escaped pieces rather than in the template: the road
    map draws hundreds of rows, and this is several times faster.
    """
    text_y, colour = row.text_y, row.colour
    href = f' href="{escape(row.url)}"' if row.url else ""
    parts = [
        f'<a{href} tabindex="-1" '
        f'class="m {escape(row.status)}"><title>{escape(row.summary)}</title>'
        f'<text x="{label_x}" y="{text_y}" text-anchor="{row.anchor}"'
        + (f' direction="{row.direction}"' if row.direction else "")
        + (f' xml:lang="{escape(row.lang)}"' if row.lang else "")
        + f' fill="#1b1b1b">{escape(row.label)}</text>'
    ]
    for dotted in (row.before, row.after):
        if dotted:
            parts.append(
                f'<line x1="{dotted.x}" x2="{dotted.end}" y1="{text_y}" '
                f'y2="{text_y}" stroke="{colour}" stroke-dasharray="2 4" '
                'stroke-opacity="0.6"/>'
            )
    if row.outer:
        parts.append(
            f'<rect x="{row.outer.x}" y="{row.bar_y}" width="{row.outer.width}" '
            f'height="12" rx="2" fill="{colour}" fill-opacity="0.35" '
            f'stroke="{colour}"/>'
        )
    if row.core:
        parts.append(
            f'<rect x="{row.core.x}" y="{row.bar_y}" width="{row.core.width}" '
            f'height="12" rx="2" fill="{colour}"/>'
        )
    if row.point:
        parts.append(f'<path d="{row.point}" fill="{colour}"/>')
    parts.append("</a>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def title_language(obj, field_name: str) -> str:
    """The language a translated field is shown in, if not the active one.

    Modeltranslation falls back to the default language where the active
    one has no value: say so, so the text can be marked with its language.
    """
    active = get_language() or settings.LANGUAGE_CODE
    if getattr(obj, f"{field_name}_{active.replace('-', '_')}", ""):
        return ""
    return settings.LANGUAGE_CODE if active != settings.LANGUAGE_CODE else ""


def lang_attributes(obj, field_name: str) -> str:
    """lang and dir attributes for a translated field shown in its fallback
    language ("" when it is in the page's language)."""
    language = title_language(obj, field_name)
    if not language:
        return ""
    direction = "rtl" if get_language_info(language)["bidi"] else "ltr"
    return format_html(' lang="{}" dir="{}"', language, direction)


@dataclass
class TableRow:
    """A milestone as a row of the text alternative: everything in words."""

    slug: str
    url: str
    title: str
    title_attrs: str
    status: str
    status_label: str
    start: str
    end: str
    note: str
    note_attrs: str


def table_rows(milestones: Iterable, *, url_of) -> list[TableRow]:
    """Rows of the milestone table, computed once here rather than per cell in
    the template (it lists hundreds of milestones)."""
    labels = dict(MilestoneStatus.choices)
    return [
        TableRow(
            slug=m.slug,
            url=url_of(m.slug),
            title=m.title,
            title_attrs=lang_attributes(m, "title"),
            status=m.status,
            status_label=str(labels.get(m.status, m.status)),
            start=start_text(m),
            end=end_text(m),
            note=m.span_note,
            note_attrs=lang_attributes(m, "span_note") if m.span_note else "",
        )
        for m in milestones
    ]


def timeline_items(milestones: Iterable, *, url_of) -> list[TimelineItem]:
    """Timeline items for milestones, linked with `url_of(slug)`."""
    return [
        item_from(
            m,
            key=m.slug,
            title=m.title,
            url=url_of(m.slug),
            title_lang=title_language(m, "title"),
        )
        for m in milestones
    ]
