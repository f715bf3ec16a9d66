"""Forms of participant accounts."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.models import Country, StakeholderGroup

from .guard import GuardedForm


class ProfileFields(forms.Form):
    """What a participant tells about themselves (core.Profile)."""

    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"), choices=StakeholderGroup.choices
    )
    country = forms.ModelChoiceField(
        label=_("Country or area"),
        queryset=Country.objects.all(),
        required=False,
        empty_label=_("(not stated)"),
    )
    organization = forms.CharField(
        label=_("Organization (optional)"), max_length=200, required=False
    )
    show_name = forms.BooleanField(
        label=_("Show my name with my contributions"),
        required=False,
        help_text=_("Without it, your contributions are shown without your name."),
    )


class SignupForm(ProfileFields, GuardedForm):
    """A new participant: user name, e-mail, password, profile."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    email = forms.EmailField(label=_("E-mail address"))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "email",
        "password1",
        "password2",
        "stakeholder_group",
        "country",
        "organization",
        "show_name",
    ]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class ProfileForm(ProfileFields):
    """Editing one's name and profile."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    field_order = [
        "first_name",
        "last_name",
        "stakeholder_group",
        "country",
        "organization",
        "show_name",
    ]
