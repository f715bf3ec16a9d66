"""Admin: API tokens (created and revoked here; the secret shown once) and the
read-only audit log."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, AuditEntry


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created and revoked, never edited: their secret is not stored."""

    list_display = (
        "prefix",
        "name",
        "institution",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("institution",)
    search_fields = ("prefix", "name", "institution__name", "institution__slug")
    list_select_related = ("institution", "created_by")
    autocomplete_fields = ("institution",)
    fields = ("name", "institution", "expires_at")
    actions = ("revoke",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoked tokens stay listed, so that the audit log's entries keep
        # pointing at something.
        return False

    def save_model(self, request, obj, form, change) -> None:
        token, secret = services.api_token_create(
            institution=obj.institution,
            name=obj.name,
            expires_at=obj.expires_at,
            by=request.user,
            request=request,
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _(
                "The token is %(secret)s — copy it now: it is not stored and "
                "cannot be shown again."
            )
            % {"secret": secret},
        )

    def log_addition(self, request, obj, message):
        # The service has written the audit entry already.
        return None

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, by=request.user, request=request)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, for the secretariat to read; nobody edits it."""

    list_display = (
        "at",
        "actor_label",
        "action",
        "target_type",
        "target_label",
        "ip_address",
    )
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "target_label", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
