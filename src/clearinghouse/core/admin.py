"""Admin for countries and regions (reference data: read-mostly)."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Country, Region


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Country)
class CountryAdmin(TranslationAdmin):
    list_display = (
        "iso2",
        "name",
        "region",
        "subregion",
        "development_status",
        "is_ldc",
        "is_lldc",
        "is_sids",
    )
    list_filter = ("development_status", "is_ldc", "is_lldc", "is_sids", "region")
    search_fields = ("iso2", "iso3", "numeric", "name", "name_en")
    list_select_related = ("region", "subregion")
