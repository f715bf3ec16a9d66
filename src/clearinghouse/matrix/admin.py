"""Admin for mandates and concerns, with their change history."""

from django import forms
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Concern, Mandate


class MandateForm(forms.ModelForm):
    class Meta:
        model = Mandate
        fields = [
            "institution",
            "issue",
            "roles",
            "status",
            "since_year",
            "note",
            "source_quote",
            "source_url",
            "source_title",
        ]
        widgets = {"roles": forms.CheckboxSelectMultiple}


class ConcernInline(admin.StackedInline):
    model = Concern
    fk_name = "mandate"
    extra = 0
    fields = ("kind", "raised_by", "summary_en", "source_quote", "source_url")


@admin.register(Mandate)
class MandateAdmin(SimpleHistoryAdmin):
    form = MandateForm
    list_display = ("issue", "institution", "status", "since_year")
    list_filter = (
        "status",
        "roles",
        "issue__area",
        "institution__stakeholder_group",
    )
    search_fields = (
        "issue__name",
        "issue__slug",
        "institution__name",
        "institution__acronym",
        "source_quote",
    )
    list_select_related = ("issue", "institution")
    autocomplete_fields = ("issue", "institution")
    inlines = [ConcernInline]


@admin.register(Concern)
class ConcernAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("__str__", "kind", "raised_by", "issue", "mandate")
    list_filter = ("kind", "raised_by")
    search_fields = ("summary", "source_quote", "issue__name")
    list_select_related = ("issue", "mandate", "mandate__institution", "mandate__issue")
    autocomplete_fields = ("issue", "mandate")
