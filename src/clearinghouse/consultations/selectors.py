"""Reads of the consultations for pages and the API."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    Consultation,
    Contribution,
    ContributionKind,
    Question,
    Report,
    Status,
    Synthesis,
    Vote,
)


def consultation_list() -> QuerySet[Consultation]:
    """Published consultations, newest first, with their subjects."""
    return Consultation.objects.published().select_related(
        "issue", "institution", "milestone", "proposal"
    )


def consultation_get(slug: str) -> Consultation | None:
    """A published consultation with its documents and questions."""
    return (
        consultation_list()
        .prefetch_related("documents", "questions__options")
        .filter(slug=slug)
        .first()
    )


def published_contributions(question: Question) -> list[Contribution]:
    """A question's published answers or statements, with their threads."""
    threads = Contribution.objects.published().select_related("author__profile")
    return list(
        Contribution.objects.published()
        .filter(
            question=question,
            kind__in=[ContributionKind.ANSWER, ContributionKind.STATEMENT],
        )
        .select_related("author__profile")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=threads.prefetch_related(
                    Prefetch("replies", queryset=threads, to_attr="shown_replies")
                ),
                to_attr="shown_replies",
            )
        )
        .annotate(
            agree=Count("votes", filter=Q(votes__value=1)),
            disagree=Count("votes", filter=Q(votes__value=-1)),
        )
        # Spelled out: a query that aggregates ignores the model's ordering.
        .order_by("created_at", "pk")
    )


def votes_of(user, consultation: Consultation) -> dict[int, int]:
    """The user's votes in a consultation: statement id → value."""
    if not user.is_authenticated:
        return {}
    return dict(
        Vote.objects.filter(participant=user, consultation=consultation).values_list(
            "statement_id", "value"
        )
    )


def author_name(contribution: Contribution) -> str:
    """The author's name if they consented to show it, else an empty string."""
    profile = getattr(contribution.author, "profile", None)
    if profile is not None and profile.show_name:
        return contribution.author.get_full_name() or contribution.author.username
    return ""


def moderation_queue() -> QuerySet[Contribution]:
    """Contributions awaiting a decision, then reported ones, oldest first."""
    return (
        Contribution.objects.filter(
            Q(status=Status.PENDING)
            | Q(status=Status.PUBLISHED, reports__resolved=False)
        )
        .distinct()
        .select_related("question__consultation", "author")
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        .order_by("created_at", "pk")
    )


def removals_by_reason() -> list[dict]:
    """Public transparency: how many contributions were removed, and why."""
    return list(
        Contribution.objects.filter(status__in=[Status.SPAM, Status.OFF_TOPIC])
        .values("status")
        .annotate(count=Count("pk"))
        .order_by("status")
    )


def own_contributions(user) -> QuerySet[Contribution]:
    """A participant's contributions with their status and moderators' reasons."""
    return (
        Contribution.objects.filter(author=user)
        .select_related("question__consultation")
        .order_by("-created_at")
    )


def synthesis_of(consultation: Consultation) -> Synthesis | None:
    """The stored synthesis (maybe of an older version)."""
    return Synthesis.objects.filter(consultation=consultation).first()


def synthesis_stamp(slug: str) -> str | None:
    """What a consultation's synthesis page shows depends on, in one query.

    None when no published consultation has this slug; "" when it has no
    stored synthesis yet; otherwise the consultation's id, edit time and data
    version with the stored synthesis' version and time.
    """
    row = (
        Consultation.objects.published()
        .filter(slug=slug)
        .values_list(
            "pk",
            "updated_at",
            "data_version",
            "synthesis__version",
            "synthesis__computed_at",
        )
        .first()
    )
    if row is None:
        return None
    pk, updated, data_version, version, computed = row
    if version is None:
        return ""
    return f"{pk}:{updated.timestamp()}:{data_version}:{version}:{computed.timestamp()}"


def outcomes_for(**subject) -> QuerySet[Consultation]:
    """Consultations about a subject (issue, cell, milestone, proposal)."""
    return (
        Consultation.objects.published()
        .about(**subject)
        .only("slug", "title", "outcome", "opens_at", "closes_at")
    )


def open_reports() -> QuerySet[Report]:
    return Report.objects.filter(resolved=False)
