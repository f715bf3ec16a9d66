"""Areas and issues: the rows of the matrix and the vocabulary of the library."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.models import Sourced, TimeStamped


class Area(Sourced, TimeStamped):
    """A broad area that groups issues (infrastructure, security, content, …)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["order", "slug"]
        constraints = [Sourced.source_constraint("taxonomy_area_has_source")]

    def __str__(self) -> str:
        return self.name


class IssueQuerySet(models.QuerySet):
    """Named queries on issues."""

    def with_area(self) -> "IssueQuerySet":
        """Issues with their area loaded in the same query, in matrix order."""
        return self.select_related("area").order_by("area__order", "area__slug", "name")


class Issue(Sourced, TimeStamped):
    """An Internet governance issue: a SKOS concept with labels in six languages."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="issues"
    )
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), blank=True, max_length=4000)
    broader = models.ForeignKey(
        "self",
        verbose_name=_("broader issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="narrower",
    )
    related = models.ManyToManyField(
        "self", verbose_name=_("related issues"), blank=True, symmetrical=True
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["name"]
        constraints = [Sourced.source_constraint("taxonomy_issue_has_source")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("taxonomy:issue", kwargs={"slug": self.slug})

    def clean(self) -> None:
        """Refuse a broader issue that would make the hierarchy a cycle."""
        seen = {self.pk}
        parent = self.broader
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError(
                    {"broader": _("An issue cannot be broader than itself.")}
                )
            seen.add(parent.pk)
            parent = parent.broader


class Synonym(models.Model):
    """Another term for an issue in one language (a SKOS alternative label)."""

    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.CASCADE,
        related_name="synonyms",
    )
    language = models.CharField(_("language"), max_length=7, choices=settings.LANGUAGES)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["language", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "language", "label"], name="taxonomy_synonym_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.language})"
