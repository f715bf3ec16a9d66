"""Forms of the consultations, guarded against bots (honeypot, fill time)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clearinghouse.accounts.guard import GuardedForm

from .models import MAX_BODY, MAX_STATEMENT, VoteValue
from .services import Decision


class ContributionForm(GuardedForm):
    """An answer, a statement, a comment or a reply."""

    body = forms.CharField(
        label=_("Your text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text in any of the six languages. Links are allowed."),
    )

    field_order = ["body", "website", "started"]

    def __init__(self, *args, statement: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if statement:
            self.fields["body"] = forms.CharField(
                label=_("Your statement"),
                max_length=MAX_STATEMENT,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_(
                    "One short statement others can agree or disagree with "
                    "(at most 280 characters)."
                ),
            )


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(
        label=_("Your vote"), choices=VoteValue.choices, coerce=int
    )


class ChoiceForm(forms.Form):
    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"] = forms.ModelChoiceField(
            label=question.text,
            queryset=question.options.all(),
            widget=forms.RadioSelect,
            empty_label=None,
        )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it?"), max_length=500, required=False
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.APPROVE, _("Approve")),
            (Decision.SPAM, _("Reject as spam")),
            (Decision.OFF_TOPIC, _("Reject as off-topic")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason shown to the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
