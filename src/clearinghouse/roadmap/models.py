"""The road map: milestones with their expected time spans and how the forecast
moved; the Forum's proposals with their dated follow-up."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import Sourced, StakeholderGroup, TimeStamped
from clearinghouse.events.models import Event
from clearinghouse.taxonomy.models import Issue

# Path segments under /roadmap/ and /proposals/ that name pages, not records.
RESERVED_MILESTONE_SLUGS = frozenset({"due", "slipped", "export"})
RESERVED_PROPOSAL_SLUGS = frozenset({"export"})

# The four bounds of an expected time span, in order.
SPAN_FIELDS = ("earliest_start", "latest_start", "earliest_end", "latest_end")


def _not_reserved(reserved: frozenset):
    def validate(value: str) -> None:
        if value in reserved:
            raise ValidationError(
                _("“%(slug)s” names a page of the site; choose another identifier."),
                params={"slug": value},
            )

    validate.__name__ = "validate_not_reserved"
    return validate


def validate_milestone_slug(value: str) -> None:
    """Refuse identifiers that would hide a road-map page (due, slipped…)."""
    _not_reserved(RESERVED_MILESTONE_SLUGS)(value)


def validate_proposal_slug(value: str) -> None:
    """Refuse identifiers that would hide a proposals page (export)."""
    _not_reserved(RESERVED_PROPOSAL_SLUGS)(value)


def _ordered(first: str, second: str, name: str, message) -> models.CheckConstraint:
    """`second` is not before `first` wherever both are known."""
    return models.CheckConstraint(
        condition=Q(**{f"{first}__isnull": True})
        | Q(**{f"{second}__isnull": True})
        | Q(**{f"{second}__gte": F(first)}),
        name=name,
        violation_error_message=message,
    )


def span_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The checks every stored span passes: no bound contradicts another."""
    return [
        _ordered(
            "earliest_start",
            "latest_start",
            f"{prefix}_start_range_ordered",
            _("The latest start cannot be before the earliest start."),
        ),
        _ordered(
            "earliest_end",
            "latest_end",
            f"{prefix}_end_range_ordered",
            _("The latest end cannot be before the earliest end."),
        ),
        _ordered(
            "earliest_start",
            "latest_end",
            f"{prefix}_ends_after_start",
            _("The latest end cannot be before the earliest start."),
        ),
    ]


class Span(models.Model):
    """An expected time span as a range: earliest and latest start and end.

    Each bound may be unknown. Together they say "it will start between … and
    … and end between … and …" without claiming more precision than known.
    """

    earliest_start = models.DateField(_("earliest start"), null=True, blank=True)
    latest_start = models.DateField(_("latest start"), null=True, blank=True)
    earliest_end = models.DateField(_("earliest end"), null=True, blank=True)
    latest_end = models.DateField(_("latest end"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def span(self) -> tuple[date | None, ...]:
        """The four bounds, in order."""
        return tuple(getattr(self, name) for name in SPAN_FIELDS)

    @property
    def known_dates(self) -> list[date]:
        """The bounds that are known, in order."""
        return [value for value in self.span if value is not None]

    @property
    def first_date(self) -> date | None:
        """The earliest known bound: where the span starts on a timeline."""
        known = self.known_dates
        return min(known) if known else None

    @property
    def last_date(self) -> date | None:
        """The latest known bound: where the span ends on a timeline."""
        known = self.known_dates
        return max(known) if known else None


class MilestoneStatus(models.TextChoices):
    """Where a milestone stands."""

    FORESEEN = "foreseen", _("Foreseen")
    UNDER_WAY = "under_way", _("Under way")
    REACHED = "reached", _("Reached")
    SLIPPED = "slipped", _("Slipped")
    DROPPED = "dropped", _("Dropped")


# Milestones still expected: the ones that can be due or overdue.
OPEN_STATUSES = (
    MilestoneStatus.FORESEEN,
    MilestoneStatus.UNDER_WAY,
    MilestoneStatus.SLIPPED,
)


class ProposalStatus(models.TextChoices):
    """Where a proposal stands in its follow-up."""

    PROPOSED = "proposed", _("Proposed")
    TAKEN_UP = "taken_up", _("Taken up")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    DROPPED = "dropped", _("Dropped")


class Proposal(Sourced, TimeStamped):
    """A proposal or recommendation made at a meeting, quoted as formulated."""

    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, validators=[validate_proposal_slug]
    )
    text = models.TextField(_("text"), max_length=4000)
    session = models.CharField(
        _("session"),
        max_length=300,
        blank=True,
        help_text=_("The session or heading under which it was made."),
    )
    session_key = models.SlugField(
        _("session identifier"),
        max_length=200,
        blank=True,
        help_text=_("The session as used in filters; derived from its English name."),
    )
    proposed_by = models.ForeignKey(
        Institution,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_made",
    )
    proposed_by_group = models.CharField(
        _("proposed by stakeholder group"),
        max_length=24,
        choices=StakeholderGroup.choices,
        blank=True,
        help_text=_("Where the source says which stakeholder group made it."),
    )
    addressed_to = models.ManyToManyField(
        Institution,
        verbose_name=_("addressed to"),
        blank=True,
        related_name="proposals_received",
    )
    issues = models.ManyToManyField(
        Issue, verbose_name=_("issues"), blank=True, related_name="proposals"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        help_text=_("Set by the latest follow-up update."),
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["pk"]
        constraints = [Sourced.source_constraint("roadmap_proposal_has_source")]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("roadmap:proposal", kwargs={"slug": self.slug})

    @staticmethod
    def history_label(record) -> str:
        """A version's subject: the start of its text."""
        return record.text[:80]


class ProposalUpdate(Sourced, TimeStamped):
    """A dated follow-up of a proposal: what happened, and the status it led to."""

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices
    )
    note = models.TextField(_("note"), blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin_key = models.CharField(
        _("dataset key"),
        max_length=100,
        blank=True,
        help_text=_("The update's identifier in the dataset it was loaded from."),
    )

    class Meta:
        verbose_name = _("follow-up update")
        verbose_name_plural = _("follow-up updates")
        ordering = ["proposal", "date", "pk"]
        constraints = [
            Sourced.source_constraint("roadmap_proposalupdate_has_source"),
            models.UniqueConstraint(
                fields=["proposal", "origin_key"],
                condition=~Q(origin_key=""),
                name="roadmap_proposalupdate_origin_key_unique",
            ),
        ]

    # What the public history shows for a version (see core.history).
    history_related = ("proposal",)

    def __str__(self) -> str:
        return f"{self.date.isoformat()} — {self.get_status_display()}"

    def clean(self) -> None:
        """A follow-up reports what happened: it cannot be dated in the future."""
        if self.date and self.date > timezone.localdate():
            raise ValidationError(
                {"date": _("A follow-up update cannot be dated in the future.")}
            )

    @staticmethod
    def history_label(record) -> str:
        """A version's subject: its date and status."""
        return f"{record.date.isoformat()} — {ProposalStatus(record.status).label}"


class MilestoneQuerySet(models.QuerySet):
    """Named queries on milestones."""

    def open(self) -> "MilestoneQuerySet":
        """Milestones still expected (not reached, not dropped)."""
        return self.filter(status__in=OPEN_STATUSES)

    def in_timeline_order(self) -> "MilestoneQuerySet":
        """Ordered by expected start (undated last), then title."""
        return self.order_by(
            Coalesce(
                "earliest_start", "latest_start", "earliest_end", "latest_end"
            ).asc(nulls_last=True),
            "slug",
        )


class Milestone(Span, Sourced, TimeStamped):
    """An expected development, with the time span in which it is expected."""

    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, validators=[validate_milestone_slug]
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    span_note = models.TextField(
        _("note on the time span"),
        blank=True,
        max_length=1000,
        help_text=_("How the dates were read from the source, and what is unknown."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.FORESEEN,
    )
    issues = models.ManyToManyField(
        Issue, verbose_name=_("issues"), blank=True, related_name="milestones"
    )
    institutions = models.ManyToManyField(
        Institution,
        verbose_name=_("institutions"),
        blank=True,
        related_name="milestones",
    )
    events = models.ManyToManyField(
        Event, verbose_name=_("events"), blank=True, related_name="milestones"
    )
    proposals = models.ManyToManyField(
        Proposal, verbose_name=_("proposals"), blank=True, related_name="milestones"
    )
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        blank=True,
        symmetrical=False,
        related_name="dependents",
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["slug"]
        constraints = [
            *span_constraints("roadmap_milestone"),
            Sourced.source_constraint("roadmap_milestone_has_source"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("roadmap:milestone", kwargs={"slug": self.slug})

    @staticmethod
    def history_label(record) -> str:
        """A version's subject: its title."""
        return record.title


class Forecast(Span):
    """An expected time span of a milestone that a later forecast replaced.

    Written by the service that changes a milestone's span, so the road map
    shows how the forecast moved: the old span, when it was replaced, by whom
    and why.
    """

    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.CASCADE,
        related_name="forecasts",
    )
    span_note = models.TextField(
        _("note on the time span"), blank=True, max_length=1000
    )
    replaced_at = models.DateTimeField(_("replaced at"), default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason for the change"), max_length=1000)

    class Meta:
        verbose_name = _("earlier forecast")
        verbose_name_plural = _("earlier forecasts")
        ordering = ["milestone", "replaced_at", "pk"]
        constraints = span_constraints("roadmap_forecast")

    history_related = ("milestone",)

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.replaced_at:%Y-%m-%d}"

    @staticmethod
    def history_label(record) -> str:
        """A version's subject: when the forecast was replaced."""
        return f"{record.replaced_at:%Y-%m-%d}"
