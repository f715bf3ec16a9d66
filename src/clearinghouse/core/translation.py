"""Fields of core models translated into the six UN languages."""

from modeltranslation.translator import TranslationOptions, register

from .models import Country, Region


@register(Region)
class RegionTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Country)
class CountryTranslationOptions(TranslationOptions):
    fields = ("name",)
