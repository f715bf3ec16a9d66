"""App configuration for matrix."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixConfig(AppConfig):
    name = "clearinghouse.matrix"
    label = "matrix"
    verbose_name = _("Matrix")
