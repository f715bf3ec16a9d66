"""App configuration for the governance filters and the consensus map."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiltersConfig(AppConfig):
    name = "clearinghouse.filters"
    label = "filters"
    verbose_name = _("Governance filters")
