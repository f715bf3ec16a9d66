"""Admin for areas and issues, with their change history."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from clearinghouse.core.admin import MissingTranslationsAdminMixin

from .models import Area, Issue, Synonym


@admin.register(Area)
class AreaAdmin(MissingTranslationsAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("name", "slug", "order")
    search_fields = ("slug", "name", "definition")
    prepopulated_fields = {"slug": ("name_en",)}


class SynonymInline(admin.TabularInline):
    model = Synonym
    extra = 1


@admin.register(Issue)
class IssueAdmin(MissingTranslationsAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("name", "slug", "area", "broader")
    list_filter = ("area",)
    search_fields = ("slug", "name", "definition", "synonyms__label")
    list_select_related = ("area", "broader")
    autocomplete_fields = ("broader", "related")
    inlines = [SynonymInline]
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("label", "language", "issue")
    list_filter = ("language",)
    search_fields = ("label", "issue__name")
    list_select_related = ("issue",)
