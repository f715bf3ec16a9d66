"""Forms of cross-lingual discovery: the search switch and a curator's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .search import MAX_QUERY_CHARS, Mode


class DiscoverForm(forms.Form):
    """A query and how to search it."""

    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_CHARS, required=False)
    mode = forms.ChoiceField(
        label=_("Find by"),
        choices=Mode.CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or Mode.BLEND


class DecisionForm(forms.Form):
    """A curator's verdict on one suggested issue."""

    suggestion = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("confirm", _("Confirm")), ("reject", _("Reject"))),
    )
