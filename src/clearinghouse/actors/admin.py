"""Admin for institutions, with their change history."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from clearinghouse.core.admin import MissingTranslationsAdminMixin

from .models import Institution


@admin.register(Institution)
class InstitutionAdmin(
    MissingTranslationsAdminMixin, SimpleHistoryAdmin, TranslationAdmin
):
    list_display = (
        "name",
        "acronym",
        "kind",
        "stakeholder_group",
        "scope",
        "headquarters",
    )
    list_filter = ("stakeholder_group", "kind", "scope", "headquarters__region")
    search_fields = ("slug", "name", "acronym", "description")
    list_select_related = ("headquarters",)
    autocomplete_fields = ("headquarters",)
    prepopulated_fields = {"slug": ("name_en",)}
