"""The analytics app: who takes part, across consultations and events."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "clearinghouse.analytics"
    verbose_name = _("Participation")
