"""Translated fields of events, then their public change history."""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import Event


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "description")


register_history(Event, m2m_fields=["organizers", "issues"])
