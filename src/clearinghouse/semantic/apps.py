"""App configuration for cross-lingual discovery."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SemanticConfig(AppConfig):
    name = "clearinghouse.semantic"
    label = "semantic"
    verbose_name = _("Cross-lingual discovery")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the embedding hook)
