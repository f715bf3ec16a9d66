"""Translated fields of consultations, then the public change history.

History is registered here, after modeltranslation, so that the historical
models get the per-language columns too.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import Consultation, ConsultationDocument, Option, Question


@register(Consultation)
class ConsultationTranslationOptions(TranslationOptions):
    fields = ("title", "background", "outcome")


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(Option)
class OptionTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(ConsultationDocument)
class ConsultationDocumentTranslationOptions(TranslationOptions):
    fields = ("title",)


register_history(Consultation, excluded_fields=["data_version"])
register_history(Question)
register_history(Option)
register_history(ConsultationDocument)
