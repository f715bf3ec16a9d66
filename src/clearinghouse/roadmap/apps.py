"""App configuration for the road map."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "clearinghouse.roadmap"
    label = "roadmap"
    verbose_name = _("Road map and proposals")
