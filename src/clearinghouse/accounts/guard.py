"""Forms people fill in, guarded against bots: a honeypot and a minimum fill time."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

_SALT = "clearinghouse.forms.started"


class GuardedForm(forms.Form):
    """A form that refuses bots: a hidden field people leave empty, and a
    signed timestamp that says when the form was shown (filled in less than
    CONSULTATIONS_MIN_FILL_SECONDS: refused)."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = signing.dumps(time.time(), salt=_SALT)
        self.fill_seconds: float | None = None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("This form was refused as automated. Leave the hidden field empty."),
                code="honeypot",
            )
        try:
            shown = signing.loads(
                cleaned.get("started") or "", salt=_SALT, max_age=86400
            )
            self.fill_seconds = time.time() - float(shown)
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                _(
                    "This form has expired or was altered. "
                    "Reload the page and try again."
                ),
                code="stale",
            ) from None
        if self.fill_seconds < settings.CONSULTATIONS_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _(
                    "This form was sent too fast to have been written by a person. "
                    "Take a moment and send it again."
                ),
                code="too_fast",
            )
        return cleaned
