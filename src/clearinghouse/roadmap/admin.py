"""Admin for milestones, their earlier forecasts, proposals and their follow-up.

Saving through the admin goes through the same rules as the services: a
changed span keeps the old one (with the reason given), dependencies that
would make a cycle are refused, and a follow-up sets its proposal's status.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from clearinghouse.core.admin import MissingTranslationsAdminMixin

from . import services
from .models import SPAN_FIELDS, Forecast, Milestone, Proposal, ProposalUpdate


class MilestoneAdminForm(forms.ModelForm):
    """The milestone form, with the reason for a changed span."""

    change_reason = forms.CharField(
        label=_("Reason for changing the expected span"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when a date changes; shown with the earlier forecast."),
    )

    class Meta:
        model = Milestone
        fields = [
            "slug",
            "title",
            "description",
            "status",
            *SPAN_FIELDS,
            "span_note",
            "issues",
            "institutions",
            "events",
            "proposals",
            "depends_on",
            "source_quote",
            "source_url",
            "source_title",
        ]

    def span_changed(self) -> bool:
        """Whether this save changes the expected span of a stored milestone."""
        return bool(self.instance.pk) and any(
            name in self.changed_data for name in SPAN_FIELDS
        )

    def clean(self):
        data = super().clean()
        if self.span_changed() and not (data.get("change_reason") or "").strip():
            self.add_error(
                "change_reason", _("Say why the expected time span changes.")
            )
        if "depends_on" in data and self.instance.pk:
            try:
                services.dependencies_check(
                    milestone=self.instance, depends_on=data["depends_on"]
                )
            except forms.ValidationError as error:
                self.add_error("depends_on", error.message_dict["depends_on"])
        return data


class ForecastInline(admin.TabularInline):
    model = Forecast
    extra = 0
    can_delete = False
    fields = (*SPAN_FIELDS, "replaced_at", "replaced_by", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Milestone)
class MilestoneAdmin(
    MissingTranslationsAdminMixin, SimpleHistoryAdmin, TranslationAdmin
):
    form = MilestoneAdminForm
    list_display = ("title", "slug", "status", *SPAN_FIELDS)
    list_filter = ("status", "issues", "institutions")
    search_fields = ("slug", "title", "description", "span_note", "source_quote")
    date_hierarchy = "earliest_start"
    autocomplete_fields = ("issues", "institutions", "proposals", "depends_on")
    filter_horizontal = ("events",)
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [ForecastInline]
    fieldsets = (
        (None, {"fields": ("slug", "title", "description", "status")}),
        (
            _("Expected time span"),
            {
                "fields": (
                    ("earliest_start", "latest_start"),
                    ("earliest_end", "latest_end"),
                    "span_note",
                    "change_reason",
                )
            },
        ),
        (
            _("Relations"),
            {"fields": ("issues", "institutions", "events", "proposals", "depends_on")},
        ),
        (_("Source"), {"fields": ("source_quote", "source_url", "source_title")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        if form.span_changed():
            stored = Milestone.objects.get(pk=obj.pk)
            services.forecast_keep(
                milestone=stored,
                by=request.user,
                reason=form.cleaned_data["change_reason"].strip(),
            )
        if form.cleaned_data.get("change_reason"):
            obj._change_reason = form.cleaned_data["change_reason"].strip()[:100]
        super().save_model(request, obj, form, change)


@admin.register(Forecast)
class ForecastAdmin(SimpleHistoryAdmin):
    """Earlier forecasts are a record: written only by changing a milestone's
    span, shown here read-only."""

    list_display = ("milestone", "replaced_at", "replaced_by", *SPAN_FIELDS)
    list_filter = ("replaced_at",)
    search_fields = ("milestone__slug", "milestone__title", "reason")
    list_select_related = ("milestone", "replaced_by")
    fields = (
        "milestone",
        *SPAN_FIELDS,
        "span_note",
        "replaced_at",
        "replaced_by",
        "reason",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ProposalUpdateInline(TranslationTabularInline):
    model = ProposalUpdate
    extra = 1
    fields = ("date", "status", "note", "source_quote", "source_url", "source_title")


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("__str__", "slug", "status", "session", "proposed_by")
    list_filter = ("status", "session_key", "addressed_to", "issues")
    search_fields = ("slug", "text", "session", "source_quote")
    list_select_related = ("proposed_by",)
    autocomplete_fields = ("proposed_by", "addressed_to", "issues")
    readonly_fields = ("status",)
    prepopulated_fields = {"session_key": ("session_en",)}
    inlines = [ProposalUpdateInline]

    def save_formset(self, request, form, formset, change) -> None:
        for update in formset.save(commit=False):
            if update.pk is None:
                update.created_by = request.user
            update.save()
        for update in formset.deleted_objects:
            update.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.proposal_status_sync(proposal=form.instance)


@admin.register(ProposalUpdate)
class ProposalUpdateAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("proposal", "date", "status", "created_by")
    list_filter = ("status", "date")
    search_fields = ("proposal__slug", "proposal__text", "note", "source_quote")
    list_select_related = ("proposal", "created_by")
    autocomplete_fields = ("proposal",)
    exclude = ("created_by", "origin_key")

    def save_model(self, request, obj, form, change) -> None:
        if obj.pk is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        services.proposal_status_sync(proposal=obj.proposal)

    def delete_model(self, request, obj) -> None:
        proposal = obj.proposal
        super().delete_model(request, obj)
        services.proposal_status_sync(proposal=proposal)
