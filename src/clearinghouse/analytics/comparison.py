"""Participation compared across consultations and events, over time.

Each source becomes a row of shares: stakeholder groups (grouped as the 2004
Forum's summary grouped them, so that rows compare), developing countries
and economies in transition, least developed countries, languages. Events
contribute the figures recorded for them (events.ParticipationFigure, as
the source reports them); consultations contribute counts of their
participants' profiles. The Forum 2004 row is the baseline.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clearinghouse.consultations.models import (
    Choice,
    Consultation,
    Contribution,
    Status,
    Vote,
)
from clearinghouse.core.models import DevelopmentStatus, Profile
from clearinghouse.events.dataset import FORUM_SLUG, uid_for
from clearinghouse.events.models import (
    Category,
    Dimension,
    Event,
    ParticipationFigure,
    Population,
    Unit,
)
from clearinghouse.events.participation import Bar, Chart, chart_layout, number

# The Forum's own grouping; every finer category maps onto one of these.
GROUPS = {
    "governments": gettext_lazy("Governments"),
    "private_sector": gettext_lazy("Private sector"),
    "civil_society_and_academia": gettext_lazy("Civil society and academia"),
    "international_organizations": gettext_lazy("International organizations"),
    "internet_community": gettext_lazy("Technical and Internet community"),
}
_TO_GROUP = {
    "governments": "governments",
    "private_sector": "private_sector",
    "civil_society": "civil_society_and_academia",
    "academia": "civil_society_and_academia",
    "civil_society_and_academia": "civil_society_and_academia",
    "intergovernmental": "international_organizations",
    "international_organizations": "international_organizations",
    "technical_community": "internet_community",
    "internet_community": "internet_community",
}


@dataclass
class Source:
    """One consultation or event with its shares (percent) and what they count."""

    kind: str
    title: str
    url: str
    when: date | None
    counted: str
    groups: dict[str, float | None] = field(default_factory=dict)
    developing: float | None = None
    developing_of: str = ""
    ldc: float | None = None
    languages: dict[str, float] = field(default_factory=dict)
    baseline: bool = False


def _event_sources() -> list[Source]:
    figures = (
        ParticipationFigure.objects.filter(
            dimension__in=[Dimension.STAKEHOLDER_GROUP, Dimension.DEVELOPMENT_STATUS]
        )
        .select_related("event", "share_of")
        .order_by("event__start", "order")
    )
    by_event: dict[int, list[ParticipationFigure]] = defaultdict(list)
    events: dict[int, Event] = {}
    for figure in figures:
        by_event[figure.event_id].append(figure)
        events[figure.event_id] = figure.event
    totals = {
        f.event_id: f.value
        for f in ParticipationFigure.objects.filter(
            dimension=Dimension.TOTAL,
            population=Population.PARTICIPANTS,
            unit=Unit.PERSONS,
        )
    }
    sources = []
    for event_id, members in by_event.items():
        event = events[event_id]
        source = Source(
            kind="event",
            title=str(event),
            url=event.get_absolute_url(),
            when=event.start.date() if event.start else None,
            counted=_("as the source reports them"),
        )
        groups: dict[str, float] = defaultdict(float)
        for figure in members:
            share = _share(figure, totals.get(event_id))
            if share is None:
                continue
            if figure.dimension == Dimension.STAKEHOLDER_GROUP:
                if figure.population == Population.PARTICIPANTS:
                    groups[_TO_GROUP.get(figure.category, "other")] += share
            elif figure.category in (
                Category.DEVELOPING,
                Category.TRANSITION,
                Category.DEVELOPING_AND_TRANSITION,
            ):
                source.developing = (source.developing or 0) + share
                source.developing_of = str(Population(figure.population).label)
        source.groups = dict(groups)
        source.baseline = event.uid == uid_for(FORUM_SLUG)
        sources.append(source)
    return sources


def _share(figure: ParticipationFigure, total) -> float | None:
    if figure.unit == Unit.PERCENT:
        return float(figure.value)
    if total:
        return float(figure.value / total * 100)
    return None


def consultation_participants(consultation: Consultation) -> set[int]:
    """Everyone who wrote, voted or chose in a consultation."""
    ids = set(
        Contribution.objects.filter(
            question__consultation=consultation, status=Status.PUBLISHED
        ).values_list("author_id", flat=True)
    )
    ids |= set(
        Vote.objects.filter(consultation=consultation)
        .values_list("participant_id", flat=True)
        .distinct()
    )
    ids |= set(
        Choice.objects.filter(question__consultation=consultation).values_list(
            "participant_id", flat=True
        )
    )
    return ids


def _consultation_sources() -> list[Source]:
    sources = []
    for consultation in Consultation.objects.published().order_by("opens_at"):
        people = consultation_participants(consultation)
        if not people:
            continue
        groups, statuses, ldc, located = Counter(), Counter(), 0, 0
        for row in (
            Profile.objects.filter(user_id__in=people)
            .values_list(
                "stakeholder_group", "country__development_status", "country__is_ldc"
            )
            .iterator()
        ):
            if row[0]:
                groups[_TO_GROUP[row[0]]] += 1
            if row[1]:
                located += 1
                statuses[row[1]] += 1
                ldc += bool(row[2])
        counted = sum(groups.values())
        languages = Counter(
            Contribution.objects.filter(
                question__consultation=consultation, status=Status.PUBLISHED
            )
            .exclude(language="")
            .values_list("language", flat=True)
        )
        written = sum(languages.values())
        sources.append(
            Source(
                kind="consultation",
                title=consultation.title,
                url=consultation.get_absolute_url(),
                when=consultation.opens_at.date(),
                counted=_("%(n)s participants") % {"n": number(len(people))},
                groups={k: v / counted * 100 for k, v in groups.items()}
                if counted
                else {},
                developing=(
                    (
                        statuses[DevelopmentStatus.DEVELOPING]
                        + statuses[DevelopmentStatus.TRANSITION]
                    )
                    / located
                    * 100
                    if located
                    else None
                ),
                developing_of=_("Participants who gave their country"),
                ldc=ldc / located * 100 if located else None,
                languages={k: v / written * 100 for k, v in languages.items()},
            )
        )
    return sources


@dataclass
class Comparison:
    sources: list[Source]
    group_keys: list[tuple[str, str]]
    language_keys: list[tuple[str, str]]
    charts: list[Chart]


def comparison_build() -> Comparison:
    """Every source, the baseline first, then by date."""
    sources = _event_sources() + _consultation_sources()
    sources.sort(key=lambda s: (not s.baseline, s.when or date.min))
    group_keys = [(key, str(label)) for key, label in GROUPS.items()]
    language_keys = [
        (code, str(_(name)))
        for code, name in settings.LANGUAGES
        if any(code in s.languages for s in sources)
    ]
    charts = []
    for key, label in group_keys:
        charts.append(
            _chart(
                f"a-{key}",
                _("Share of %(group)s") % {"group": label},
                [(s.title, s.groups.get(key)) for s in sources],
            )
        )
    charts.append(
        _chart(
            "a-developing",
            _("Share from developing countries and economies in transition"),
            [(s.title, s.developing) for s in sources],
        )
    )
    charts.append(
        _chart(
            "a-ldc",
            _("Share from least developed countries"),
            [(s.title, s.ldc) for s in sources],
        )
    )
    return Comparison(sources, group_keys, language_keys, charts)


def _chart(ident: str, title: str, values) -> Chart:
    bars = [
        Bar(label=name, text=_("%(share)s %%") % {"share": number(value)}, share=value)
        for name, value in values
        if value is not None
    ]
    return chart_layout(
        Chart(
            ident=ident,
            title=title,
            description="; ".join(f"{b.label}: {b.text}" for b in bars),
            bars=bars,
        )
    )
