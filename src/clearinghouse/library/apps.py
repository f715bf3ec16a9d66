"""App configuration for the virtual library."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "clearinghouse.library"
    label = "library"
    verbose_name = _("Library")
