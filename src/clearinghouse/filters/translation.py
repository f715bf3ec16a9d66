"""Translated fields of the filter questions and rules.

No change history is registered: a version is never edited, so the versions
themselves are the public history of the questions and rules.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Question, Rule


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("text", "help")


@register(Rule)
class RuleTranslationOptions(TranslationOptions):
    fields = ("explanation",)
