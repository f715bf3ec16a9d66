"""The upload form of the iCalendar import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .ical import MAX_BYTES
from .models import EventKind


class CalendarUploadForm(forms.Form):
    """An .ics file, refused before it is read when it is too large."""

    file = forms.FileField(
        label=_("iCalendar file (.ics)"),
        help_text=_("At most 5 MB. Events are matched by their UID."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of the events that do not say"),
        choices=EventKind.choices,
        initial=EventKind.CONFERENCE,
    )

    def clean_file(self):
        """Refuse a file over the size limit, by its size alone."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; calendars of more than %(limit)s MB "
                    "are refused. Split it into smaller files."
                ),
                params={
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": MAX_BYTES // 2**20,
                },
            )
        return upload


class CalendarConfirmForm(forms.Form):
    """Confirms the import of the previewed file, named by its digest."""

    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
