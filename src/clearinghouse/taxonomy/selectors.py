"""Reads of the taxonomy: issue lists and one issue with everything its page shows."""

from django.db.models import Count, Prefetch, Q, QuerySet

from clearinghouse.core.history import HistoryEntry, entries_from
from clearinghouse.core.models import StakeholderGroup
from clearinghouse.matrix.models import Concern, Mandate, MandateStatus

from .models import Area, Issue


def areas_with_issues() -> QuerySet:
    """Areas with their issues and each issue's count of active mandates."""
    issues = Issue.objects.annotate(
        active_mandates=Count(
            "mandates", filter=Q(mandates__status=MandateStatus.ACTIVE)
        )
    ).order_by("slug")
    return Area.objects.prefetch_related(Prefetch("issues", queryset=issues))


def issue_detail(*, slug: str) -> Issue | None:
    """One issue with area, hierarchy, synonyms and related issues loaded."""
    return (
        Issue.objects.select_related("area", "broader")
        .prefetch_related("narrower", "related", "synonyms")
        .filter(slug=slug)
        .first()
    )


def issue_mandates(issue: Issue) -> list[Mandate]:
    """The mandates on an issue by stakeholder group, active first in each."""
    mandates = list(Mandate.objects.for_issue(issue))
    groups = {code: index for index, code in enumerate(StakeholderGroup.values)}
    order = {MandateStatus.ACTIVE: 0, MandateStatus.PROPOSED: 1, MandateStatus.ENDED: 2}
    return sorted(
        mandates,
        key=lambda m: (
            groups.get(m.institution.stakeholder_group, 99),
            order.get(m.status, 9),
            m.institution.slug,
        ),
    )


def issue_concerns(issue: Issue) -> list[Concern]:
    """Concerns about the issue or any of its mandates."""
    return list(
        Concern.objects.for_issue(issue).select_related(
            "mandate", "mandate__institution"
        )
    )


def issue_history(issue: Issue, *, limit: int = 50) -> list[HistoryEntry]:
    """Changes to the issue, its mandates and its concerns, newest first."""
    mandate_ids = Mandate.history.filter(issue_id=issue.pk).values("id")
    return entries_from(
        [
            Issue.history.filter(id=issue.pk),
            Mandate.history.filter(issue_id=issue.pk),
            Concern.history.filter(
                Q(issue_id=issue.pk) | Q(mandate_id__in=mandate_ids)
            ),
        ],
        limit=limit,
    )
