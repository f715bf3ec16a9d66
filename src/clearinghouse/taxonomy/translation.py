"""Translated fields of the taxonomy, then their public change history.

History is registered here, after modeltranslation, so that the historical
models get the per-language columns too.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import Area, Issue


@register(Area)
class AreaTranslationOptions(TranslationOptions):
    fields = ("name", "definition")


@register(Issue)
class IssueTranslationOptions(TranslationOptions):
    fields = ("name", "definition")


register_history(Area)
register_history(Issue)
