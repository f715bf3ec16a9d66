"""The filters of the events pages: one form for pages, calendar files and API.

Every door into the compendium validates its query string with this form, so
an unknown value is refused the same way everywhere, in the visitor's
language, and the same filters select the same events everywhere.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.filters import FilterForm, query_pairs, region_choices
from clearinghouse.core.models import Country
from clearinghouse.taxonomy.models import Area, Issue

from .models import Event, EventKind, EventLanguage, EventStatus, validate_timezone

# Remote participation: a link (or an online event), captioning, interpretation.
REMOTE_CHOICES = (
    ("link", _("Remote participation")),
    ("captioning", _("Live captioning")),
    ("interpretation", _("Interpretation")),
)


@dataclass(frozen=True)
class EventFilters:
    """The cleaned filters: each an empty tuple (or None) when not used."""

    issues: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    remote: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    tz: str = ""

    def apply(self, events: QuerySet, *, zone: ZoneInfo | None = None) -> QuerySet:
        """Restrict events to those that pass every filter.

        Within one filter any chosen value matches (issue A or B); remote
        participation needs every chosen feature (captioning and
        interpretation). `since` and `until` are dates in `zone` (UTC by
        default) and keep dated events only.
        """
        through = Event.issues.through
        if self.issues:
            events = events.filter(
                Exists(
                    through.objects.filter(
                        event_id=OuterRef("pk"), issue__slug__in=self.issues
                    )
                )
            )
        if self.areas:
            events = events.filter(
                Exists(
                    through.objects.filter(
                        event_id=OuterRef("pk"), issue__area__slug__in=self.areas
                    )
                )
            )
        if self.regions:
            events = events.filter(
                Q(country__region_id__in=self.regions)
                | Q(country__subregion_id__in=self.regions)
                | Q(country__intermediate_region_id__in=self.regions)
            )
        if self.countries:
            events = events.filter(country__iso2__in=self.countries)
        if self.kinds:
            events = events.filter(kind__in=self.kinds)
        if self.statuses:
            events = events.filter(status__in=self.statuses)
        if self.languages:
            events = events.filter(
                Exists(
                    EventLanguage.objects.filter(
                        event_id=OuterRef("pk"), language__in=self.languages
                    )
                )
            )
        if "link" in self.remote:
            events = events.filter(Q(online=True) | ~Q(remote_url=""))
        if "captioning" in self.remote:
            events = events.filter(captioning=True)
        if "interpretation" in self.remote:
            events = events.filter(interpretation=True)
        tz = zone or ZoneInfo("UTC")
        if self.since:
            events = events.filter(end__gte=datetime.combine(self.since, time(), tz))
        if self.until:
            events = events.filter(
                start__lt=datetime.combine(self.until + timedelta(days=1), time(), tz)
            )
        return events

    def as_query(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs, for links that keep them."""
        pairs = query_pairs(
            ("issue", self.issues),
            ("area", self.areas),
            ("region", self.regions),
            ("country", self.countries),
            ("kind", self.kinds),
            ("status", self.statuses),
            ("language", self.languages),
            ("remote", self.remote),
        )
        if self.since:
            pairs.append(("since", self.since.isoformat()))
        if self.until:
            pairs.append(("until", self.until.isoformat()))
        if self.tz:
            pairs.append(("tz", self.tz))
        return pairs

    @property
    def active(self) -> bool:
        """Whether any filter (other than the time zone) is set."""
        return any(name != "tz" for name, _value in self.as_query())


def _names(model, key: str, order: tuple[str, ...]) -> list[tuple[str, str]]:
    """(key, name in the active language or English) of every row, as plain values.

    Read without model instances: the form is built on every request, and
    300 issues and 249 countries as instances cost more than the page's
    events.
    """
    language = (get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    columns = [f"name_{language}", f"name_{settings.LANGUAGE_CODE}"]
    if f"name_{language}" not in {f.name for f in model._meta.fields}:
        columns = columns[1:]
    rows = model.objects.rewrite(False).order_by(*order).values_list(key, *columns)
    return [(row[0], next(filter(None, row[1:]), row[0])) for row in rows]


class EventFilterForm(FilterForm):
    """Query-string filters of the events pages, calendar files and API."""

    issue = forms.MultipleChoiceField(label=_("Issue"), required=False)
    area = forms.MultipleChoiceField(label=_("Area"), required=False)
    region = forms.MultipleChoiceField(label=_("Region"), required=False)
    country = forms.MultipleChoiceField(label=_("Country"), required=False)
    kind = forms.MultipleChoiceField(
        label=_("Kind"), required=False, choices=EventKind.choices
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=EventStatus.choices
    )
    language = forms.MultipleChoiceField(
        label=_("Working language"), required=False, choices=settings.LANGUAGES
    )
    remote = forms.MultipleChoiceField(
        label=_("Remote participation"), required=False, choices=REMOTE_CHOICES
    )
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("Until"), required=False)
    tz = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        validators=[validate_timezone],
        help_text=_("An IANA name such as Africa/Dakar or Asia/Shanghai."),
    )
    page = forms.IntegerField(
        label=_("Page"), required=False, min_value=1, max_value=1_000_000
    )

    # Fields shown as multiple selects in the filter form of the pages.
    CHOICE_FIELDS = (
        "issue",
        "area",
        "region",
        "country",
        "kind",
        "status",
        "language",
        "remote",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].choices = _names(Issue, "slug", ("slug",))
        self.fields["area"].choices = _names(Area, "slug", ("order", "slug"))
        self.fields["region"].choices = region_choices()
        countries = _names(Country, "iso2", ("iso2",))
        self.fields["country"].choices = sorted(countries, key=lambda c: c[1])

    def selects(self) -> list[tuple]:
        """(bound field, its <option> elements) of each multiple-choice filter.

        The options are written here rather than by the template: on a page of
        fifty events, rendering 600 options one by one in the template took
        longer than the events.
        """
        result = []
        for name in self.CHOICE_FIELDS:
            chosen = set(self.data.getlist(name)) if self.is_bound else set()
            html = "".join(
                f'<option value="{escape(value)}"'
                f"{' selected' if str(value) in chosen else ''}>"
                f"{escape(label)}</option>"
                for value, label in self.fields[name].choices
            )
            result.append((self[name], mark_safe(html)))  # noqa: S308 - escaped above
        return result

    def clean(self) -> dict:
        """Refuse a period that ends before it starts."""
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        return data

    def filters(self) -> EventFilters:
        """The cleaned filters; call after is_valid()."""
        data = self.cleaned_data
        return EventFilters(
            issues=tuple(data.get("issue") or ()),
            areas=tuple(data.get("area") or ()),
            regions=tuple(data.get("region") or ()),
            countries=tuple(data.get("country") or ()),
            kinds=tuple(data.get("kind") or ()),
            statuses=tuple(data.get("status") or ()),
            languages=tuple(data.get("language") or ()),
            remote=tuple(data.get("remote") or ()),
            since=data.get("since"),
            until=data.get("until"),
            tz=data.get("tz") or "",
        )

    @property
    def page_number(self) -> int:
        """The page asked for (1 when not given); call after is_valid()."""
        return self.cleaned_data.get("page") or 1
