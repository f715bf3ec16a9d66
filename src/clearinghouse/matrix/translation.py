"""Translated fields of the matrix, then the public change history of its records."""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import Concern, Mandate


@register(Concern)
class ConcernTranslationOptions(TranslationOptions):
    fields = ("summary",)


register_history(Mandate, m2m_fields=["roles"])
register_history(Concern)
