"""Admin for the library: documents with their tags, sources and files."""

from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from . import indexing, services
from .models import (
    Document,
    DocumentFile,
    DocumentIssue,
    DocumentProvenance,
    SavedSearch,
)


class DocumentIssueInline(admin.TabularInline):
    model = DocumentIssue
    extra = 0
    autocomplete_fields = ["issue"]


class DocumentProvenanceInline(admin.TabularInline):
    model = DocumentProvenance
    extra = 0
    can_delete = False
    readonly_fields = [
        "source_key",
        "source_label",
        "source_url",
        "original_identifier",
        "datestamp",
        "fetched_at",
        "deleted_upstream",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DocumentFileInline(admin.TabularInline):
    model = DocumentFile
    extra = 0
    can_delete = False
    fields = ["original_name", "media_type", "size", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "doc_type", "language", "date", "status", "updated_at"]
    list_filter = ["status", "doc_type", "language"]
    search_fields = ["title", "identifier", "doi"]
    readonly_fields = ["doi", "canonical_url", "created_at", "updated_at"]
    autocomplete_fields = ["institutions", "presented_at"]
    raw_id_fields = ["submitted_by"]
    exclude = ["title_key"]
    inlines = [DocumentIssueInline, DocumentProvenanceInline, DocumentFileInline]

    def save_model(self, request, obj, form, change) -> None:
        services.derive_keys(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        pk = form.instance.pk
        # The search index follows what the admin saved, once it is committed.
        transaction.on_commit(lambda: indexing.index_documents_safely([pk]))


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["token"]
