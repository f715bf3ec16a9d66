"""Who took part in an event: reported figures and officials, as pages show them.

Figures are shown as the source reports them — its categories, its numbers
and its hedges ("about 35 per cent", "more than 300") — each breakdown with
the source sentences it rests on, a bar chart drawn on the server as SVG and
a table. Breakdowns that follow from the data (development status and region
from figures by country, or from individual officials) are computed and
labelled as such.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from clearinghouse.core.models import DevelopmentStatus, StakeholderGroup

from .models import (
    Category,
    Dimension,
    Event,
    EventOfficial,
    ParticipationFigure,
    Population,
    Qualifier,
    Unit,
)
from .selectors import translated

# Module-level texts are lazy: they are translated when a page uses them.
_QUALIFIED = {
    Qualifier.ABOUT: gettext_lazy("about %(value)s"),
    Qualifier.NEARLY: gettext_lazy("nearly %(value)s"),
    Qualifier.OVER: gettext_lazy("over %(value)s"),
    Qualifier.MORE_THAN: gettext_lazy("more than %(value)s"),
    Qualifier.LESS_THAN: gettext_lazy("less than %(value)s"),
}


def number(value: Decimal | float | int) -> str:
    """A number as the active language writes it, without needless decimals."""
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral():
            value = value.quantize(Decimal(1))
    elif isinstance(value, float):
        value = round(value, 1)
        if value == int(value):
            value = int(value)
    return number_format(value)


def figure_text(value, unit: str, qualifier: str) -> str:
    """“about 35 %”, “more than 300”, “8”: a figure with its hedge."""
    shown = number(value)
    if unit == Unit.PERCENT:
        shown = _("%(value)s %%") % {"value": shown}
    template = _QUALIFIED.get(qualifier)
    return str(template) % {"value": shown} if template else shown


@dataclass(slots=True)
class Source:
    """A sentence or document a breakdown rests on."""

    quote: str
    url: str
    title: str


@dataclass
class Bar:
    """One bar of a chart, with its geometry in the chart's user units."""

    label: str
    text: str
    share: float
    x: float = 0
    width: float = 0
    label_x: float = 0
    value_x: float = 0
    y: float = 0
    anchor: str = "start"
    value_anchor: str = "start"


@dataclass
class Chart:
    """A horizontal bar chart (drawn as inline SVG by the template)."""

    ident: str
    title: str
    description: str
    bars: list[Bar]
    width: int = 480
    height: int = 0
    rtl: bool = False
    bar_height: int = 14


CHART_WIDTH = 480
ROW = 40
BAR_AREA = 360


def chart_layout(chart: Chart) -> Chart:
    """Place each bar: a label line, then the bar and its value beside it."""
    chart.rtl = bool(get_language_bidi())
    chart.height = ROW * len(chart.bars) + 4
    for index, bar in enumerate(chart.bars):
        top = index * ROW
        bar.y = top + 20
        bar.width = round(BAR_AREA * max(0.0, min(bar.share, 100.0)) / 100, 1)
        if chart.rtl:
            bar.x = CHART_WIDTH - bar.width
            bar.label_x = CHART_WIDTH
            bar.value_x = bar.x - 6
            bar.anchor = "end"
            bar.value_anchor = "end"
        else:
            bar.x = 0
            bar.label_x = 0
            bar.value_x = bar.width + 6
    return chart


@dataclass
class Row:
    """One line of a breakdown's table."""

    key: str
    category: str
    text: str
    label: str
    share: float


@dataclass
class Breakdown:
    """Figures of one population along one dimension, with chart and sources."""

    ident: str
    title: str
    rows: list[Row]
    sources: list[Source]
    derived: bool = False
    note: str = ""
    chart: Chart | None = None


@dataclass
class PopulationBlock:
    """What is known about one population: its total and its breakdowns."""

    population: str
    label: str
    total: Row | None
    total_sources: list[Source]
    breakdowns: list[Breakdown]


@dataclass
class Participation:
    """The participation section of an event's page."""

    blocks: list[PopulationBlock]
    officials: list[EventOfficial]
    official_breakdowns: list[Breakdown]

    @property
    def empty(self) -> bool:
        """Whether nothing at all is recorded."""
        return not (self.blocks or self.officials)


def _category_label(figure: ParticipationFigure) -> str:
    if figure.dimension == Dimension.COUNTRY and figure.country:
        return figure.country.name
    if figure.dimension == Dimension.REGION and figure.region:
        return figure.region.name
    if figure.category:
        return str(Category(figure.category).label)
    return str(Population(figure.population).label)


def _sources(figures) -> list[Source]:
    seen: dict[tuple, Source] = {}
    for figure in figures:
        key = (figure.source_quote, figure.source_url)
        if key not in seen and (figure.source_quote or figure.source_url):
            seen[key] = Source(
                figure.source_quote, figure.source_url, figure.source_title
            )
    return list(seen.values())


def _share(figure: ParticipationFigure, total: ParticipationFigure | None) -> float:
    if figure.unit == Unit.PERCENT:
        return float(figure.value)
    if total is not None and total.unit == Unit.PERSONS and total.value:
        return float(figure.value / total.value * 100)
    return 0.0


_DIMENSION_TITLES = {
    Dimension.STAKEHOLDER_GROUP: gettext_lazy("%(population)s by stakeholder group"),
    Dimension.DEVELOPMENT_STATUS: gettext_lazy("%(population)s by development status"),
    Dimension.REGION: gettext_lazy("%(population)s by region"),
    Dimension.COUNTRY: gettext_lazy("%(population)s by country"),
}


def _breakdown_title(population: str, dimension: str) -> str:
    return str(_DIMENSION_TITLES[dimension]) % {
        "population": str(Population(population).label)
    }


def participation_build(event: Event) -> Participation:
    """The participation of an event: three queries whatever its size."""
    figures = list(
        ParticipationFigure.objects.filter(event=event)
        .select_related(
            "country",
            "country__region",
            "region",
            "share_of",
        )
        .order_by("order", "pk")
    )
    officials = list(
        EventOfficial.objects.filter(event=event)
        .select_related("country", "country__region")
        .order_by("session", "role", "pk")
    )
    by_population: dict[str, list[ParticipationFigure]] = defaultdict(list)
    for figure in figures:
        by_population[figure.population].append(figure)
    blocks = []
    for population in Population.values:
        members = by_population.get(population)
        if not members:
            continue
        blocks.append(_population_block(event, population, members))
    official_breakdowns = (
        _official_breakdowns(event, officials)
        if officials and Population.OFFICIALS not in by_population
        else []
    )
    return Participation(
        blocks=blocks, officials=officials, official_breakdowns=official_breakdowns
    )


def _row(figure: ParticipationFigure, total) -> Row:
    label, _language = translated(figure, "label")
    return Row(
        key=figure.key,
        category=_category_label(figure),
        text=figure_text(figure.value, figure.unit, figure.qualifier),
        label=label,
        share=_share(figure, total),
    )


def _population_block(event: Event, population: str, members: list) -> PopulationBlock:
    totals = [f for f in members if f.dimension == Dimension.TOTAL]
    total = totals[0] if totals else None
    groups: dict[str, list[ParticipationFigure]] = defaultdict(list)
    for figure in members:
        if figure.dimension != Dimension.TOTAL:
            groups[figure.dimension].append(figure)
    breakdowns = []
    for dimension in Dimension.values:
        group = groups.get(dimension)
        if not group:
            continue
        parent = total
        if parent is None and group[0].share_of is not None:
            parent = group[0].share_of
        breakdown = Breakdown(
            ident=f"p-{event.pk}-{population}-{dimension}",
            title=_breakdown_title(population, dimension),
            rows=[_row(figure, parent) for figure in group],
            sources=_sources(group),
        )
        if parent is not None and parent.dimension != Dimension.TOTAL:
            breakdown.note = _("Shares of: %(part)s (%(value)s).") % {
                "part": _category_label(parent),
                "value": figure_text(parent.value, parent.unit, parent.qualifier),
            }
        breakdown.chart = _chart(breakdown)
        breakdowns.append(breakdown)
        if dimension == Dimension.COUNTRY:
            breakdowns.extend(_from_countries(event, population, group, total))
    return PopulationBlock(
        population=population,
        label=str(Population(population).label),
        total=_row(total, None) if total else None,
        total_sources=_sources([total]) if total else [],
        breakdowns=breakdowns,
    )


def _chart(breakdown: Breakdown) -> Chart:
    description = "; ".join(f"{row.category}: {row.text}" for row in breakdown.rows)
    return chart_layout(
        Chart(
            ident=breakdown.ident,
            title=breakdown.title,
            description=description,
            bars=[
                Bar(label=row.category, text=row.text, share=row.share)
                for row in breakdown.rows
            ],
        )
    )


_STATUS_ORDER = [
    DevelopmentStatus.DEVELOPED,
    DevelopmentStatus.DEVELOPING,
    DevelopmentStatus.TRANSITION,
]


def _counted(
    *,
    ident: str,
    title: str,
    counts: dict[str, int],
    labels: dict[str, str],
    order: list[str],
    note: str,
) -> Breakdown:
    total = sum(counts.values())
    rows = []
    for key in order:
        if counts.get(key):
            share = counts[key] / total * 100 if total else 0.0
            rows.append(
                Row(
                    key=key,
                    category=labels[key],
                    text=_("%(count)s (%(share)s %%)")
                    % {"count": number(counts[key]), "share": number(share)},
                    label="",
                    share=share,
                )
            )
    breakdown = Breakdown(
        ident=ident, title=title, rows=rows, sources=[], derived=True, note=note
    )
    breakdown.chart = _chart(breakdown)
    return breakdown


def _from_countries(event, population, group, total) -> list[Breakdown]:
    """Development status and region, from figures by country counted in persons."""
    persons = [f for f in group if f.unit == Unit.PERSONS and f.country]
    if not persons:
        return []
    statuses: dict[str, int] = defaultdict(int)
    regions: dict[str, int] = defaultdict(int)
    region_names: dict[str, str] = {}
    for figure in persons:
        status = figure.country.development_status or "unclassified"
        statuses[status] += int(figure.value)
        region = figure.country.region
        code = region.code if region else "unclassified"
        region_names[code] = region.name if region else str(_("Not classified"))
        regions[code] += int(figure.value)
    note = _("Computed from the figures by country.")
    status_labels = {code: str(label) for code, label in DevelopmentStatus.choices}
    status_labels["unclassified"] = str(_("Not classified"))
    population_label = str(Population(population).label)
    return [
        _counted(
            ident=f"p-{event.pk}-{population}-derived-status",
            title=_("%(population)s by development status")
            % {"population": population_label},
            counts=statuses,
            labels=status_labels,
            order=[*_STATUS_ORDER, "unclassified"],
            note=note,
        ),
        _counted(
            ident=f"p-{event.pk}-{population}-derived-region",
            title=_("%(population)s by region") % {"population": population_label},
            counts=regions,
            labels=region_names,
            order=sorted(regions),
            note=note,
        ),
    ]


def _official_breakdowns(event, officials: list[EventOfficial]) -> list[Breakdown]:
    """Officials by stakeholder group, development status and region."""
    groups: dict[str, int] = defaultdict(int)
    statuses: dict[str, int] = defaultdict(int)
    regions: dict[str, int] = defaultdict(int)
    region_names: dict[str, str] = {}
    for official in officials:
        groups[official.stakeholder_group] += 1
        if official.country is None:
            statuses["international"] += 1
            regions["international"] += 1
            region_names["international"] = str(_("International organizations"))
            continue
        statuses[official.country.development_status or "unclassified"] += 1
        region = official.country.region
        code = region.code if region else "unclassified"
        region_names[code] = region.name if region else str(_("Not classified"))
        regions[code] += 1
    note = _("Counted from the officials recorded below.")
    status_labels = {code: str(label) for code, label in DevelopmentStatus.choices}
    status_labels["unclassified"] = str(_("Not classified"))
    status_labels["international"] = str(_("International organizations"))
    label = str(Population.OFFICIALS.label)
    return [
        _counted(
            ident=f"o-{event.pk}-group",
            title=_("%(population)s by stakeholder group") % {"population": label},
            counts=groups,
            labels={code: str(name) for code, name in StakeholderGroup.choices},
            order=StakeholderGroup.values,
            note=note,
        ),
        _counted(
            ident=f"o-{event.pk}-status",
            title=_("%(population)s by development status") % {"population": label},
            counts=statuses,
            labels=status_labels,
            order=[*_STATUS_ORDER, "international", "unclassified"],
            note=note,
        ),
        _counted(
            ident=f"o-{event.pk}-region",
            title=_("%(population)s by region") % {"population": label},
            counts=regions,
            labels=region_names,
            order=sorted(regions),
            note=note,
        ),
    ]
