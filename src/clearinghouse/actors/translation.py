"""Translated fields of institutions, then their public change history."""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import Institution


@register(Institution)
class InstitutionTranslationOptions(TranslationOptions):
    fields = ("name", "description")


register_history(Institution)
