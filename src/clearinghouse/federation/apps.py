"""App configuration for federation: partner sources in, our records out."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "clearinghouse.federation"
    label = "federation"
    verbose_name = _("Federation")
