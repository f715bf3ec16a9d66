"""App configuration for core."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "clearinghouse.core"
    label = "core"
    verbose_name = _("Countries and regions")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import sqlite_waits

        connection_created.connect(sqlite_waits.watch, dispatch_uid="sqlite_waits")
