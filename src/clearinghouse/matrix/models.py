"""Mandates tie an institution to an issue in roles; concerns qualify them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import Sourced, StakeholderGroup, TimeStamped
from clearinghouse.taxonomy.models import Issue


class RoleCode(models.TextChoices):
    """What an institution does about an issue."""

    STANDARD_SETTING = "standard_setting", _("Standard setting")
    POLICY_NORMS = "policy_norms", _("Policy and norms")
    TREATY_REGULATION = "treaty_regulation", _("Treaty and regulation")
    OPERATIONS_COORDINATION = (
        "operations_coordination",
        _("Operations and coordination"),
    )
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")
    RESEARCH_MONITORING = "research_monitoring", _("Research and monitoring")
    DISPUTE_RESOLUTION = "dispute_resolution", _("Dispute resolution")
    ADVOCACY_AWARENESS = "advocacy_awareness", _("Advocacy and awareness")


# Short forms shown in the cells of the matrix; the full name is their title.
ROLE_ABBREVIATIONS = {
    RoleCode.STANDARD_SETTING: _("STD"),
    RoleCode.POLICY_NORMS: _("POL"),
    RoleCode.TREATY_REGULATION: _("REG"),
    RoleCode.OPERATIONS_COORDINATION: _("OPS"),
    RoleCode.CAPACITY_BUILDING: _("CAP"),
    RoleCode.RESEARCH_MONITORING: _("RES"),
    RoleCode.DISPUTE_RESOLUTION: _("DIS"),
    RoleCode.ADVOCACY_AWARENESS: _("ADV"),
}


class Role(models.Model):
    """One of the closed list of roles, as a row so that mandates can join on it."""

    code = models.CharField(
        _("code"), max_length=32, primary_key=True, choices=RoleCode.choices
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label)

    @property
    def abbreviation(self) -> str:
        """The short form used in matrix cells."""
        return str(ROLE_ABBREVIATIONS[RoleCode(self.code)])


class MandateStatus(models.TextChoices):
    """Whether a mandate is exercised now, only proposed, or over."""

    ACTIVE = "active", _("Active")
    PROPOSED = "proposed", _("Proposed")
    ENDED = "ended", _("Ended")


class MandateQuerySet(models.QuerySet):
    """Named queries on mandates."""

    def active(self) -> "MandateQuerySet":
        """Mandates exercised now."""
        return self.filter(status=MandateStatus.ACTIVE)

    def for_issue(self, issue: Issue) -> "MandateQuerySet":
        """The mandates on one issue, with institution and roles loaded."""
        return (
            self.filter(issue=issue)
            .select_related("institution")
            .prefetch_related("roles")
            .order_by("institution__name")
        )


class Mandate(Sourced, TimeStamped):
    """An institution addresses an issue in one or more roles, with evidence."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), related_name="+")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MandateStatus.choices,
        default=MandateStatus.ACTIVE,
    )
    since_year = models.PositiveSmallIntegerField(
        _("since year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1850), MaxValueValidator(2100)],
    )
    note = models.TextField(_("note"), blank=True, max_length=4000)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["issue__name", "institution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "issue"],
                name="matrix_mandate_one_per_cell",
                violation_error_message=_(
                    "This institution already has a mandate on this issue."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(since_year__isnull=True)
                | models.Q(since_year__gte=1850, since_year__lte=2100),
                name="matrix_mandate_since_year_plausible",
            ),
            Sourced.source_constraint("matrix_mandate_has_evidence"),
        ]

    # What the public history shows for a version (see core.history).
    history_related = ("institution", "issue")

    def __str__(self) -> str:
        return f"{self.institution.short_name} — {self.issue.name}"

    @staticmethod
    def history_label(record) -> str:
        """A version's subject: the institution and the issue, as they are now."""
        institution = record.institution.short_name if record.institution else "?"
        issue = record.issue.name if record.issue else "?"
        return f"{institution} — {issue}"


class ConcernKind(models.TextChoices):
    """What a concern is about."""

    LEGITIMACY = "legitimacy", _("Legitimacy")
    ACCOUNTABILITY = "accountability", _("Accountability")
    TRANSPARENCY = "transparency", _("Transparency")
    REPRESENTATION = "representation", _("Representation")
    PARTICIPATION = (
        "participation_of_developing_countries",
        _("Participation of developing countries"),
    )
    COST = "cost_of_participation", _("Cost of participation")
    LANGUAGE = "language_barriers", _("Language barriers")
    JURISDICTION = "jurisdiction", _("Jurisdiction")
    CAPACITY = "capacity", _("Capacity")
    OTHER = "other", _("Other")


class ConcernQuerySet(models.QuerySet):
    """Named queries on concerns."""

    def for_issue(self, issue: Issue) -> "ConcernQuerySet":
        """Concerns about an issue or about any mandate on it."""
        return self.filter(models.Q(issue=issue) | models.Q(mandate__issue=issue))


class Concern(Sourced, TimeStamped):
    """A concern raised about an issue or a mandate, by a stakeholder group."""

    kind = models.CharField(_("kind"), max_length=40, choices=ConcernKind.choices)
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="concerns",
    )
    mandate = models.ForeignKey(
        Mandate,
        verbose_name=_("mandate"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="concerns",
    )
    raised_by = models.CharField(
        _("raised by"),
        max_length=24,
        choices=StakeholderGroup.choices,
        blank=True,
        help_text=_("The stakeholder group that raised it, where the source says."),
    )
    summary = models.TextField(_("summary"), max_length=2000)
    origin_key = models.CharField(
        _("dataset key"),
        max_length=100,
        blank=True,
        help_text=_("The concern's identifier in the dataset it was loaded from."),
    )

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issue__isnull=False)
                | models.Q(mandate__isnull=False),
                name="matrix_concern_has_subject",
                violation_error_message=_(
                    "A concern is about an issue or a mandate: name one."
                ),
            ),
            Sourced.source_constraint("matrix_concern_has_source"),
            models.UniqueConstraint(
                fields=["origin_key"],
                condition=~models.Q(origin_key=""),
                name="matrix_concern_origin_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary[:60]}"

    @staticmethod
    def history_label(record) -> str:
        """A version's subject: its kind and the start of its summary."""
        return f"{ConcernKind(record.kind).label}: {record.summary[:60]}"
