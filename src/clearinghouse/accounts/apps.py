"""The accounts app: participants sign up, verify their e-mail and sign in."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "clearinghouse.accounts"
    verbose_name = _("Participant accounts")
