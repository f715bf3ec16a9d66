"""Reads of the library: a document's page, its neighbours, lists for other pages."""

from django.db.models import Count, Prefetch, Q, QuerySet

from clearinghouse.actors.models import Institution
from clearinghouse.core.accounts import is_secretariat
from clearinghouse.events.models import Event
from clearinghouse.taxonomy.models import Issue

from .models import Document, DocumentIssue, DocumentStatus

RELATED_LIMIT = 10
LIST_LIMIT = 50


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "jurisdiction_country", "jurisdiction_region", "submitted_by"
    ).prefetch_related(
        Prefetch(
            "issue_tags",
            queryset=DocumentIssue.objects.select_related("issue__area"),
        ),
        "institutions",
        "provenances",
        "files",
        Prefetch("presented_at", queryset=Event.objects.order_by("-start", "pk")),
    )


def document_visible_to(user) -> Q:
    """Which documents a person may open: published and withdrawn ones, their own."""
    visible = Q(status__in=[DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN])
    if is_secretariat(user):
        return Q()
    if user.is_authenticated:
        visible |= Q(submitted_by=user)
    return visible


def document_get(*, pk: int, user) -> Document | None:
    """A document with everything its page shows, if this person may see it."""
    return (
        _with_relations(Document.objects.filter(document_visible_to(user)))
        .filter(pk=pk)
        .first()
    )


def document_related(*, document: Document, limit: int = RELATED_LIMIT) -> list:
    """Published documents sharing the most issues with this one."""
    issue_ids = [tag.issue_id for tag in document.issue_tags.all()]
    if not issue_ids:
        return []
    return list(
        Document.objects.published()
        .exclude(pk=document.pk)
        .filter(issue_tags__issue_id__in=issue_ids)
        .annotate(
            shared=Count("issue_tags", filter=Q(issue_tags__issue_id__in=issue_ids))
        )
        .order_by("-shared", "-date", "-pk")[:limit]
    )


def documents_for_issue(*, issue: Issue, limit: int = LIST_LIMIT) -> list[Document]:
    """Published documents tagged with an issue, newest first."""
    return list(
        Document.objects.published()
        .filter(issue_tags__issue=issue)
        .order_by("-date", "-pk")[:limit]
    )


def documents_for_institution(
    *, institution: Institution, limit: int = LIST_LIMIT
) -> list[Document]:
    """Published documents an institution published, newest first."""
    return list(
        Document.objects.published()
        .filter(institutions=institution)
        .order_by("-date", "-pk")[:limit]
    )


def review_queue() -> QuerySet:
    """Submissions waiting for the secretariat."""
    return Document.objects.awaiting_review().select_related("submitted_by")
