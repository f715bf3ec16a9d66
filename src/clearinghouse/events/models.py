"""Meetings and events on Internet governance: the compendium the Forum asked for."""

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import Country, Sourced, TimeStamped
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


class Event(Sourced, TimeStamped):
    """A meeting or event, with its time zone, place or online access, and topics.

    `start` and `end` are stored in UTC; `timezone` is the event's own zone, in
    which its times are stated beside the visitor's. `uid` is the iCalendar UID,
    stable across exports and imports, so that re-importing updates the event.
    """

    uid = models.CharField(_("iCalendar UID"), max_length=255, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EventStatus.choices,
        default=EventStatus.ANNOUNCED,
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"), db_index=True)
    all_day = models.BooleanField(_("all day"), default=False)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
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
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event", kwargs={"pk": self.pk})
