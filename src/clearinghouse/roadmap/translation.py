"""Translated fields of the road map, then the public change history of its records.

History is registered here, after modeltranslation, so that the historical
models get the per-language columns too.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import Forecast, Milestone, Proposal, ProposalUpdate


@register(Milestone)
class MilestoneTranslationOptions(TranslationOptions):
    fields = ("title", "description", "span_note")


@register(Proposal)
class ProposalTranslationOptions(TranslationOptions):
    fields = ("text", "session")


@register(ProposalUpdate)
class ProposalUpdateTranslationOptions(TranslationOptions):
    fields = ("note",)


register_history(
    Milestone,
    m2m_fields=["issues", "institutions", "events", "proposals", "depends_on"],
)
register_history(Proposal, m2m_fields=["addressed_to", "issues"])
register_history(ProposalUpdate)
register_history(Forecast)
