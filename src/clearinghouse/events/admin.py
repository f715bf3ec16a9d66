"""Admin for events, their languages, links, participation and officials."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from clearinghouse.core.admin import MissingTranslationsAdminMixin

from . import times
from .models import (
    Event,
    EventLanguage,
    EventLink,
    EventOfficial,
    ParticipationFigure,
)
from .services import new_uid


class LocalDateTimeField(forms.SplitDateTimeField):
    """A date and an optional time (midnight when left out), as the admin shows."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            required=False,
            require_all_fields=False,
            widget=AdminSplitDateTime,
            **kwargs,
        )
        self.fields[1].required = False

    def compress(self, data_list):
        """Midnight when only the date is given."""
        if data_list and data_list[0] and not data_list[1]:
            data_list = [data_list[0], time()]
        return super().compress(data_list)


class EventAdminForm(forms.ModelForm):
    """Start and end as the event's local times (stored in UTC).

    For an all-day event only the dates count, and the end is its last day.
    """

    local_start = LocalDateTimeField(label=_("start (in the event's time zone)"))
    local_end = LocalDateTimeField(
        label=_("end (in the event's time zone; for an all-day event, its last day)")
    )

    class Meta:
        model = Event
        fields = [
            "uid",
            "language",
            "title",
            "description",
            "kind",
            "status",
            "all_day",
            "timezone",
            "date_note",
            "venue",
            "city",
            "country",
            "online",
            "remote_url",
            "captioning",
            "interpretation",
            "url",
            "registration_url",
            "organizers",
            "issues",
            "source_quote",
            "source_url",
            "source_title",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "uid" in self.fields and not self.instance.pk:
            self.fields["uid"].initial = new_uid()
        instance = self.instance
        if instance.pk and instance.start is not None:
            tz = times.zone(instance.timezone) or ZoneInfo("UTC")
            start = instance.start.astimezone(tz).replace(tzinfo=None)
            end = instance.end.astimezone(tz).replace(tzinfo=None)
            if instance.all_day:
                end -= timedelta(days=1)
            self.initial["local_start"] = start
            self.initial["local_end"] = end

    def clean(self) -> dict:
        """Convert the local start and end to the stored UTC moments."""
        data = super().clean()
        start, end = data.get("local_start"), data.get("local_end")
        zone_name = data.get("timezone") or "UTC"
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Give both the start and the end, or neither.")
            )
        if start is not None and times.zone(zone_name) is not None:
            start, end = (
                value.replace(tzinfo=None) if isinstance(value, datetime) else value
                for value in (start, end)
            )
            self.instance.start, self.instance.end = times.span(
                start=start,
                end=end,
                all_day=bool(data.get("all_day")),
                zone_name=zone_name,
            )
        elif start is None:
            self.instance.start = self.instance.end = None
        return data


class EventLanguageInline(admin.TabularInline):
    model = EventLanguage
    extra = 0


class EventLinkInline(admin.TabularInline):
    model = EventLink
    extra = 0


class ParticipationFigureInline(TranslationTabularInline):
    model = ParticipationFigure
    fk_name = "event"
    extra = 0
    fields = (
        "order",
        "key",
        "population",
        "dimension",
        "category",
        "country",
        "region",
        "value",
        "unit",
        "qualifier",
        "share_of",
        "label",
        "source_quote",
        "source_url",
    )
    autocomplete_fields = ("country", "region")


class EventOfficialInline(admin.TabularInline):
    model = EventOfficial
    extra = 0
    fields = ("role", "name", "session", "stakeholder_group", "country", "source_url")
    autocomplete_fields = ("country",)


@admin.register(Event)
class EventAdmin(MissingTranslationsAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    form = EventAdminForm
    list_display = ("title", "kind", "status", "start", "timezone", "city", "country")
    list_filter = (
        "kind",
        "status",
        "online",
        "captioning",
        "interpretation",
        "all_day",
        "languages__language",
        "country__region",
    )
    search_fields = ("uid", "title", "description", "city", "venue", "source_quote")
    list_select_related = ("country",)
    autocomplete_fields = ("country", "organizers", "issues")
    date_hierarchy = "start"
    fieldsets = (
        (
            None,
            {"fields": ("uid", "language", "title", "description", "kind", "status")},
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "local_start",
                    "local_end",
                    "all_day",
                    "timezone",
                    "date_note",
                )
            },
        ),
        (_("Place"), {"fields": ("venue", "city", "country", "online")}),
        (
            _("Remote participation"),
            {"fields": ("remote_url", "captioning", "interpretation")},
        ),
        (
            _("Links and topics"),
            {"fields": ("url", "registration_url", "organizers", "issues")},
        ),
        (_("Source"), {"fields": ("source_quote", "source_url", "source_title")}),
    )
    inlines = [
        EventLanguageInline,
        EventLinkInline,
        ParticipationFigureInline,
        EventOfficialInline,
    ]


@admin.register(ParticipationFigure)
class ParticipationFigureAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = (
        "event",
        "key",
        "population",
        "dimension",
        "category",
        "value",
        "unit",
        "qualifier",
    )
    list_filter = ("population", "dimension", "unit", "qualifier")
    search_fields = ("key", "label", "source_quote", "event__title")
    list_select_related = ("event",)
    autocomplete_fields = ("event", "country", "region", "share_of")


@admin.register(EventOfficial)
class EventOfficialAdmin(SimpleHistoryAdmin):
    list_display = ("event", "role", "name", "session", "stakeholder_group", "country")
    list_filter = ("role", "stakeholder_group", "country__development_status")
    search_fields = ("name", "session", "event__title")
    list_select_related = ("event", "country")
    autocomplete_fields = ("event", "country")
