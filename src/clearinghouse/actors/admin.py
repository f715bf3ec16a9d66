"""Admin for institutions, with their change history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from clearinghouse.core.admin import MissingTranslationsAdminMixin

from . import services
from .models import FocalPoint, FocalPointStatus, Institution


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


@admin.register(FocalPoint)
class FocalPointAdmin(admin.ModelAdmin):
    """Requests to act for an institution; the secretariat approves or revokes."""

    list_display = ("user", "institution", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("user__username", "user__email", "institution__name")
    list_select_related = ("user", "institution")
    autocomplete_fields = ("institution",)
    raw_id_fields = ("user",)
    readonly_fields = ("status", "decided_at", "decided_by")
    actions = ("approve", "revoke")

    @admin.action(description=_("Approve the selected focal points"))
    def approve(self, request, queryset):
        for focal_point in queryset.exclude(status=FocalPointStatus.APPROVED):
            services.focal_point_approve(
                focal_point=focal_point, by=request.user, request=request
            )

    @admin.action(description=_("Revoke the selected focal points"))
    def revoke(self, request, queryset):
        for focal_point in queryset.exclude(status=FocalPointStatus.REVOKED):
            services.focal_point_revoke(
                focal_point=focal_point, by=request.user, request=request
            )
