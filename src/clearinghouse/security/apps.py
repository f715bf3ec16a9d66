"""App configuration for roles, API tokens and the audit log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "clearinghouse.security"
    label = "security"
    verbose_name = _("Access and audit")
