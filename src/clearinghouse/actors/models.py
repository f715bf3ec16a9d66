"""Institutions: the columns of the matrix."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.models import Country, Sourced, StakeholderGroup, TimeStamped


class InstitutionKind(models.TextChoices):
    """What sort of body an institution is."""

    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental")
    GOVERNMENTAL = "governmental", _("Governmental")
    PRIVATE = "private", _("Private")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIC = "academic", _("Academic")
    TECHNICAL_COMMUNITY = "technical_community", _("Technical community")


class Scope(models.TextChoices):
    """How far an institution's remit reaches."""

    GLOBAL = "global", _("Global")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


class InstitutionQuerySet(models.QuerySet):
    """Named queries on institutions."""

    def with_country(self) -> "InstitutionQuerySet":
        """Institutions with their headquarters country and its regions loaded."""
        return self.select_related(
            "headquarters", "headquarters__region", "headquarters__subregion"
        )


class Institution(Sourced, TimeStamped):
    """A body that addresses Internet governance issues."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=InstitutionKind.choices)
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=24, choices=StakeholderGroup.choices
    )
    headquarters = models.ForeignKey(
        Country,
        verbose_name=_("headquarters country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    website = models.URLField(_("website"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [Sourced.source_constraint("actors_institution_has_source")]

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        """The acronym where there is one, else the name."""
        return self.acronym or self.name

    def get_absolute_url(self) -> str:
        return reverse("actors:institution", kwargs={"slug": self.slug})


class FocalPointStatus(models.TextChoices):
    """Where a request to act for an institution stands."""

    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REVOKED = "revoked", _("Revoked")


class FocalPointQuerySet(models.QuerySet):
    """Named queries on focal points."""

    def approved(self) -> "FocalPointQuerySet":
        """Focal points the secretariat approved and has not revoked."""
        return self.filter(status=FocalPointStatus.APPROVED, user__is_active=True)


class FocalPoint(TimeStamped):
    """A user who keeps an institution's records up to date on its behalf.

    The user asks; the secretariat approves, and may revoke at any time.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="focal_points",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="focal_points",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=FocalPointStatus.choices,
        default=FocalPointStatus.REQUESTED,
    )
    statement = models.TextField(
        _("statement"),
        blank=True,
        max_length=2000,
        help_text=_("Who the user is at the institution, for the secretariat."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = FocalPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["institution__slug", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution"], name="actors_focalpoint_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FocalPointStatus.values),
                name="actors_focalpoint_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.institution.short_name}"
