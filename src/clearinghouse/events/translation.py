"""Translated fields of events, then their public change history.

History is registered here, after modeltranslation, so that the historical
models get the per-language columns too.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import Event, EventLanguage, EventLink, EventOfficial, ParticipationFigure

# An event's title may exist in its original language only (an Arabic or
# Chinese announcement): fall back through every language, English first,
# so that a page in any language shows it rather than nothing.
ALL_LANGUAGES_FALLBACK = {"default": ("en", "fr", "es", "ru", "ar", "zh-hans")}


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "description", "date_note")
    fallback_languages = ALL_LANGUAGES_FALLBACK


@register(ParticipationFigure)
class ParticipationFigureTranslationOptions(TranslationOptions):
    fields = ("label",)


register_history(Event, m2m_fields=["organizers", "issues"])
register_history(EventLanguage)
register_history(EventLink)
register_history(ParticipationFigure)
register_history(EventOfficial)
