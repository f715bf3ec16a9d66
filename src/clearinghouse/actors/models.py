"""Institutions: the columns of the matrix."""

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
