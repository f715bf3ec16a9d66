"""The consultations app: a moderated, multilingual participatory forum."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "clearinghouse.consultations"
    verbose_name = _("Consultations")
