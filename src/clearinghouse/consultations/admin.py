"""Admin for consultations, their questions and documents; contributions read-only.

Moderation decisions go through the moderation queue (services), not the
admin, so that the classifier learns from each one.
"""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from .models import Consultation, ConsultationDocument, Contribution, Option, Question


class DocumentInline(TranslationTabularInline):
    model = ConsultationDocument
    extra = 1


class QuestionInline(TranslationTabularInline):
    model = Question
    extra = 1
    show_change_link = True


class OptionInline(TranslationTabularInline):
    model = Option
    extra = 2


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("title", "opens_at", "closes_at", "is_published")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("issue", "institution")
    exclude = ("data_version",)
    inlines = [DocumentInline, QuestionInline]


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("text", "consultation", "kind", "order")
    list_filter = ("kind",)
    inlines = [OptionInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "status", "language", "spam_score", "created_at")
    list_filter = ("status", "kind", "language")
    search_fields = ("body",)
    readonly_fields = [f.name for f in Contribution._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
