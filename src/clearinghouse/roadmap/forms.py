"""The secretariat's form to record a dated follow-up of a proposal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProposalStatus


class ProposalUpdateForm(forms.Form):
    """A follow-up: when, the status it leads to, what happened, and its source."""

    date = forms.DateField(
        label=_("Date"),
        help_text=_("As YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(label=_("New status"), choices=ProposalStatus.choices)
    note = forms.CharField(
        label=_("What happened"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source_url = forms.URLField(
        label=_("Source URL"), max_length=500, required=False, assume_scheme="https"
    )
    source_title = forms.CharField(
        label=_("Source title"), max_length=500, required=False
    )
    source_quote = forms.CharField(
        label=_("Quoted sentence"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def error_messages(self) -> list[str]:
        """Each error as one sentence that names the field it is about."""
        return [
            f"{self.fields[name].label}: {message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        ]
