"""Meetings and events on Internet governance: the compendium the Forum asked for."""

from datetime import datetime
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import (
    Country,
    Region,
    Sourced,
    StakeholderGroup,
    TimeStamped,
)
from clearinghouse.taxonomy.models import Issue


class EventKind(models.TextChoices):
    """What sort of meeting an event is."""

    SUMMIT = "summit", _("Summit")
    CONFERENCE = "conference", _("Conference")
    WORKSHOP = "workshop", _("Workshop")
    CONSULTATION_MEETING = "consultation_meeting", _("Consultation meeting")
    WEBINAR = "webinar", _("Webinar")
    WORKING_GROUP_MEETING = "working_group_meeting", _("Working-group meeting")


class EventStatus(models.TextChoices):
    """Where an event stands."""

    ANNOUNCED = "announced", _("Announced")
    CONFIRMED = "confirmed", _("Confirmed")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")


def validate_timezone(value: str) -> None:
    """Refuse a time zone name that is not in the IANA database."""
    if value not in _TIMEZONES:
        raise ValidationError(
            _("“%(zone)s” is not a time zone name such as Africa/Dakar."),
            params={"zone": value[:60]},
        )


_TIMEZONES = frozenset(available_timezones())


class EventQuerySet(models.QuerySet):
    """Named queries on events."""

    def dated(self) -> "EventQuerySet":
        """Events whose dates are known."""
        return self.filter(start__isnull=False)

    def undated(self) -> "EventQuerySet":
        """Events whose source gives no dates (see `date_note`)."""
        return self.filter(start__isnull=True)

    def upcoming(self, now: datetime) -> "EventQuerySet":
        """Events not yet over at `now`, soonest first."""
        return self.filter(end__gte=now).order_by("start", "pk")

    def past(self, now: datetime) -> "EventQuerySet":
        """Events over before `now`, latest first."""
        return self.filter(end__lt=now).order_by("-start", "-pk")

    def overlapping(self, start: datetime, end: datetime) -> "EventQuerySet":
        """Events whose time span meets [start, end] (an instant meets itself)."""
        return self.filter(
            models.Q(start__lt=end, end__gt=start) | models.Q(start=start)
        )


class Event(Sourced, TimeStamped):
    """A meeting or event, with its time zone, place or online access, and topics.

    `start` and `end` are stored in UTC; `timezone` is the event's own zone, in
    which its times are stated beside the visitor's. For an all-day event,
    `start` is midnight of its first day in its own zone and `end` midnight
    after its last day (exclusive, as iCalendar's DTEND of a date). Both are
    empty when the source gives no date: `date_note` then says what it gives
    (dates are never invented). `uid` is the iCalendar UID, stable across
    exports and imports, so that re-importing updates the event. `language`
    is the language its title and description were written in; translations
    sit beside it and pages fall back to it.
    """

    uid = models.CharField(
        _("iCalendar UID"),
        max_length=255,
        unique=True,
        error_messages={
            "unique": _("An event with this iCalendar UID exists already.")
        },
    )
    language = models.CharField(
        _("original language"),
        max_length=7,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the title and description were written in."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EventStatus.choices,
        default=EventStatus.ANNOUNCED,
    )
    start = models.DateTimeField(_("start"), db_index=True, null=True, blank=True)
    end = models.DateTimeField(_("end"), db_index=True, null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    date_note = models.TextField(
        _("note on the dates"),
        blank=True,
        max_length=500,
        help_text=_("What the source says about dates it does not give exactly."),
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    online = models.BooleanField(_("online"), default=False)
    remote_url = models.URLField(
        _("remote participation link"), max_length=500, blank=True
    )
    captioning = models.BooleanField(_("live captioning"), default=False)
    interpretation = models.BooleanField(_("interpretation"), default=False)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    registration_url = models.URLField(
        _("registration link"), max_length=500, blank=True
    )
    organizers = models.ManyToManyField(
        Institution, verbose_name=_("organizers"), blank=True, related_name="events"
    )
    issues = models.ManyToManyField(
        Issue, verbose_name=_("issues"), blank=True, related_name="events"
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="events_event_ends_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(start__isnull=True, end__isnull=True)
                | models.Q(start__isnull=False, end__isnull=False),
                name="events_event_both_dates_or_neither",
                violation_error_message=_(
                    "Give both the start and the end, or neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event", kwargs={"pk": self.pk})

    def clean(self) -> None:
        """An undated event says why; a title exists in the original language."""
        if self.start is None and self.end is None:
            notes = [
                getattr(self, f"date_note_{code.replace('-', '_')}", "")
                for code, _name in settings.LANGUAGES
            ]
            if not any(notes) and not self.date_note:
                # Named by its column in the default language, as the admin's
                # translated form and the API name it.
                raise ValidationError(
                    {
                        f"date_note_{settings.LANGUAGE_CODE.replace('-', '_')}": _(
                            "An event without dates needs a note on what the "
                            "source says about them."
                        )
                    }
                )
        original = f"title_{self.language.replace('-', '_')}"
        if hasattr(self, original) and not getattr(self, original):
            raise ValidationError(
                {
                    original: _("Give the title in the original language (%(lang)s).")
                    % {"lang": self.language}
                }
            )

    @property
    def dated(self) -> bool:
        """Whether the event's dates are known."""
        return self.start is not None


class EventLanguage(models.Model):
    """A working language of an event (one row each, so filters work everywhere)."""

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="languages",
    )
    language = models.CharField(_("language"), max_length=7, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("working language")
        verbose_name_plural = _("working languages")
        ordering = ["event", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language"],
                name="events_language_once_per_event",
                violation_error_message=_("This language is already listed."),
            )
        ]
        indexes = [models.Index(fields=["language", "event"])]

    def __str__(self) -> str:
        return self.get_language_display()


class LinkKind(models.TextChoices):
    """What a document linked from an event is."""

    AGENDA = "agenda", _("Agenda")
    REPORT = "report", _("Report")
    TRANSCRIPT = "transcript", _("Transcript")
    OTHER = "other", _("Other document")


class EventLink(models.Model):
    """A document about an event (agenda, report, transcript), as a link."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="links"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("URL"), max_length=500)
    language = models.CharField(
        _("language"), max_length=7, choices=settings.LANGUAGES, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("document link")
        verbose_name_plural = _("document links")
        ordering = ["event", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Population(models.TextChoices):
    """Who a participation figure counts."""

    PARTICIPANTS = "participants", _("Participants")
    GOVERNMENT_PARTICIPANTS = "government_participants", _("Government participants")
    OFFICIALS = "officials", _("Officials (chairs, moderators, rapporteurs)")


class Dimension(models.TextChoices):
    """What a participation figure is broken down by."""

    TOTAL = "total", _("Total")
    STAKEHOLDER_GROUP = "stakeholder_group", _("Stakeholder group")
    DEVELOPMENT_STATUS = "development_status", _("Development status")
    REGION = "region", _("Region")
    COUNTRY = "country", _("Country")


class Category(models.TextChoices):
    """A category as the source reports it (sources group differently).

    The stakeholder groups of core plus the groupings that sources use, such
    as "civil society and academia" counted together: a figure is recorded
    under the category the source gives, never split into ones it does not.
    """

    GOVERNMENTS = "governments", _("Governments")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIA = "academia", _("Academia")
    CIVIL_SOCIETY_AND_ACADEMIA = (
        "civil_society_and_academia",
        _("Civil society and academia"),
    )
    TECHNICAL_COMMUNITY = "technical_community", _("Technical and Internet community")
    INTERNET_COMMUNITY = "internet_community", _("Internet community")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organizations")
    INTERNATIONAL_ORGANIZATIONS = (
        "international_organizations",
        _("International organizations"),
    )
    DEVELOPED = "developed", _("Developed countries")
    DEVELOPING = "developing", _("Developing countries")
    TRANSITION = "transition", _("Countries with economies in transition")
    DEVELOPING_AND_TRANSITION = (
        "developing_and_transition",
        _("Developing countries and countries with economies in transition"),
    )


# Which categories make sense along which dimension.
CATEGORIES_BY_DIMENSION = {
    Dimension.STAKEHOLDER_GROUP: {
        Category.GOVERNMENTS,
        Category.PRIVATE_SECTOR,
        Category.CIVIL_SOCIETY,
        Category.ACADEMIA,
        Category.CIVIL_SOCIETY_AND_ACADEMIA,
        Category.TECHNICAL_COMMUNITY,
        Category.INTERNET_COMMUNITY,
        Category.INTERGOVERNMENTAL,
        Category.INTERNATIONAL_ORGANIZATIONS,
    },
    Dimension.DEVELOPMENT_STATUS: {
        Category.DEVELOPED,
        Category.DEVELOPING,
        Category.TRANSITION,
        Category.DEVELOPING_AND_TRANSITION,
        Category.INTERNATIONAL_ORGANIZATIONS,
    },
}


class Unit(models.TextChoices):
    """What a participation figure's number counts."""

    PERSONS = "persons", _("persons")
    PERCENT = "percent", _("per cent")


class Qualifier(models.TextChoices):
    """The hedge a source puts on a figure ("about 35 per cent")."""

    EXACT = "exact", _("exactly")
    ABOUT = "about", _("about")
    NEARLY = "nearly", _("nearly")
    OVER = "over", _("over")
    MORE_THAN = "more_than", _("more than")
    LESS_THAN = "less_than", _("less than")


class ParticipationFigure(Sourced, TimeStamped):
    """One figure on who took part in an event, as a source reports it.

    A count of persons or a share in per cent, qualified as the source
    qualifies it, of a population (participants, officials), by stakeholder
    group, development status, region or country — or its total. `share_of`
    names the figure this one is a part of (a share of government
    participants is a part of the governments' share).
    """

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="participation",
    )
    key = models.SlugField(_("key"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    population = models.CharField(
        _("population"), max_length=24, choices=Population.choices
    )
    dimension = models.CharField(
        _("dimension"), max_length=20, choices=Dimension.choices
    )
    category = models.CharField(
        _("category"), max_length=32, choices=Category.choices, blank=True
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.DecimalField(
        _("value"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    qualifier = models.CharField(
        _("qualifier"),
        max_length=10,
        choices=Qualifier.choices,
        blank=True,
        help_text=_("Blank when the source gives the figure without a qualifier."),
    )
    share_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
    )
    label = models.TextField(_("label"), blank=True, max_length=500)

    class Meta:
        verbose_name = _("participation figure")
        verbose_name_plural = _("participation figures")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "key"],
                name="events_figure_key_unique_per_event",
                violation_error_message=_(
                    "This event already has a figure with this key."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0)
                & (~models.Q(unit="percent") | models.Q(value__lte=100)),
                name="events_figure_value_plausible",
                violation_error_message=_(
                    "A count cannot be negative, nor a share above 100 per cent."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(dimension="total", category="")
                    | models.Q(dimension="stakeholder_group") & ~models.Q(category="")
                    | models.Q(dimension="development_status") & ~models.Q(category="")
                    | models.Q(dimension="region", region__isnull=False)
                    | models.Q(dimension="country", country__isnull=False)
                ),
                name="events_figure_category_fits_dimension",
                violation_error_message=_(
                    "Name the category, region or country that the figure counts."
                ),
            ),
            Sourced.source_constraint("events_figure_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.key}"

    def clean(self) -> None:
        """The category belongs to the dimension; a part is of the same event."""
        allowed = CATEGORIES_BY_DIMENSION.get(self.dimension)
        if allowed is not None and self.category and self.category not in allowed:
            raise ValidationError(
                {
                    "category": _("“%(category)s” is not a category of %(dimension)s.")
                    % {
                        "category": self.category,
                        "dimension": Dimension(self.dimension).label,
                    }
                }
            )
        if (
            self.share_of_id is not None
            and self.share_of is not None
            and (self.share_of.event_id != self.event_id or self.share_of_id == self.pk)
        ):
            raise ValidationError(
                {"share_of": _("A figure can only be part of another of its event.")}
            )


class OfficialRole(models.TextChoices):
    """What an official of an event does."""

    CHAIR = "chair", _("Chair")
    MODERATOR = "moderator", _("Moderator")
    RAPPORTEUR = "rapporteur", _("Rapporteur")


class EventOfficial(Sourced, TimeStamped):
    """A chair, moderator or rapporteur of an event or one of its sessions.

    The stakeholder group is recorded; development status and region follow
    from the country. An official from an international organization has no
    country.
    """

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="officials",
    )
    role = models.CharField(_("role"), max_length=12, choices=OfficialRole.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    session = models.CharField(_("session"), max_length=300, blank=True)
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=24, choices=StakeholderGroup.choices
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for an official of an international organization."),
    )

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["event", "session", "role", "pk"]

    def __str__(self) -> str:
        who = self.name or self.get_stakeholder_group_display()
        return f"{self.get_role_display()}: {who}"
