"""Admin of the governance filters: versions are shown, never edited (a change
is a new version, written from the questions page); assessments can be removed."""

from django.contrib import admin

from . import services
from .models import AnswerRecord, Assessment, FilterVersion, Question, Rule


class _ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class QuestionInline(_ReadOnly, admin.TabularInline):
    model = Question
    fields = ("order", "key", "text", "from_matrix")
    extra = 0


class RuleInline(_ReadOnly, admin.TabularInline):
    model = Rule
    fields = ("order", "key", "outcome", "conditions", "matrix_condition")
    extra = 0


@admin.register(FilterVersion)
class FilterVersionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("number", "created_at", "created_by", "note")
    search_fields = ("note",)
    inlines = [QuestionInline, RuleInline]


class AnswerInline(_ReadOnly, admin.TabularInline):
    model = AnswerRecord
    fields = ("key", "value", "rationale", "source_quote", "source_urls")
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = (
        "issue",
        "stakeholder_group",
        "outcome",
        "version",
        "is_current",
        "created_at",
    )
    list_filter = ("outcome", "stakeholder_group", "is_current", "version")
    search_fields = ("issue__slug", "issue__name", "on_behalf_of", "author__username")
    readonly_fields = [f.name for f in Assessment._meta.fields]
    inlines = [AnswerInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        services.assessment_delete(assessment=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            services.assessment_delete(assessment=obj, by=request.user)
