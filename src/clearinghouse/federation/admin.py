"""Admin for partner sources: registration, approval, pausing, harvest now, the log."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import HarvestRun, Source, SourceStatus
from .tasks import harvest_source_task


class HarvestRunInline(admin.TabularInline):
    """The latest runs of a source, read-only."""

    model = HarvestRun
    extra = 0
    can_delete = False
    ordering = ["-started_at"]
    fields = [
        "started_at",
        "finished_at",
        "status",
        "dry_run",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "deleted",
        "skipped",
        "errors",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-started_at")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Partner sources; approval and pausing go through the services."""

    list_display = [
        "name",
        "kind",
        "institution",
        "status",
        "consecutive_failures",
        "last_success_at",
        "next_harvest_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["name", "url", "institution__name"]
    autocomplete_fields = ["institution"]
    filter_horizontal = ["default_issues"]
    readonly_fields = [
        "status",
        "approved_by",
        "approved_at",
        "proposed_by",
        "consecutive_failures",
        "last_success_at",
        "cursor",
        "etag",
        "last_modified",
        "lease_until",
    ]
    exclude = ["lease_token"]
    inlines = [HarvestRunInline]
    actions = ["approve", "pause", "harvest_now"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.proposed_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Approve the selected sources"))
    def approve(self, request, queryset) -> None:
        for source in queryset:
            services.source_approve(source=source, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d source approved; its first harvest is queued.",
                "%(count)d sources approved; their first harvests are queued.",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Pause the selected sources"))
    def pause(self, request, queryset) -> None:
        for source in queryset:
            services.source_pause(
                source=source, notice=str(_("Paused by the secretariat."))
            )

    @admin.action(description=_("Harvest the selected sources now"))
    def harvest_now(self, request, queryset) -> None:
        active = queryset.filter(status=SourceStatus.ACTIVE)
        for source in active:
            harvest_source_task.enqueue(source.pk)
        self.message_user(
            request,
            ngettext(
                "%(count)d harvest queued.",
                "%(count)d harvests queued.",
                active.count(),
            )
            % {"count": active.count()},
            messages.SUCCESS,
        )
