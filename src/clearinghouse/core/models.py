"""Countries with their UN M49 regions and development status; shared base models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StakeholderGroup(models.TextChoices):
    """The stakeholder groups of Internet governance, as the WSIS named them."""

    GOVERNMENTS = "governments", _("Governments")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIA = "academia", _("Academia")
    TECHNICAL_COMMUNITY = "technical_community", _("Technical and Internet community")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organizations")


class DevelopmentStatus(models.TextChoices):
    """UN DESA's country classification (World Economic Situation and Prospects)."""

    DEVELOPED = "developed", _("Developed economy")
    TRANSITION = "transition", _("Economy in transition")
    DEVELOPING = "developing", _("Developing economy")


class TimeStamped(models.Model):
    """Adds creation and modification times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Sourced(models.Model):
    """Where a curated record comes from: a quoted sentence and/or a public source."""

    source_quote = models.TextField(
        _("source quote"),
        blank=True,
        max_length=4000,
        help_text=_("The sentence of the source this record rests on, quoted exactly."),
    )
    source_title = models.CharField(_("source title"), max_length=500, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def source_constraint(cls, name: str) -> models.CheckConstraint:
        """A check that the record names a quote or a URL as its source."""
        return models.CheckConstraint(
            condition=~models.Q(source_quote="") | ~models.Q(source_url=""),
            name=name,
            violation_error_message=_("Give a source: a quoted sentence or a URL."),
        )


class Region(models.Model):
    """A UN M49 geographic region, sub-region or intermediate region."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        SUBREGION = "subregion", _("Sub-region")
        INTERMEDIATE = "intermediate", _("Intermediate region")

    code = models.CharField(_("M49 code"), max_length=3, primary_key=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CountryQuerySet(models.QuerySet):
    """Named queries on countries."""

    def with_regions(self) -> "CountryQuerySet":
        """Countries with their region and sub-region loaded in the same query."""
        return self.select_related("region", "subregion", "intermediate_region")


class Country(models.Model):
    """An ISO 3166-1 country or area, placed in UN M49 and classified by UN DESA."""

    iso2 = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO 3166-1 alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO 3166-1 numeric code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subregion = models.ForeignKey(
        Region,
        verbose_name=_("sub-region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    intermediate_region = models.ForeignKey(
        Region,
        verbose_name=_("intermediate region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    development_status = models.CharField(
        _("development status"),
        max_length=12,
        choices=DevelopmentStatus.choices,
        blank=True,
        help_text=_("Blank where UN DESA does not classify the country or area."),
    )
    is_ldc = models.BooleanField(_("least developed country"), default=False)
    is_lldc = models.BooleanField(_("landlocked developing country"), default=False)
    is_sids = models.BooleanField(_("small island developing State"), default=False)

    objects = CountryQuerySet.as_manager()

    class Meta:
        verbose_name = _("country or area")
        verbose_name_plural = _("countries and areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(TimeStamped):
    """What a person who takes part tells us about themselves.

    Published figures are aggregates: the name is shown only with consent.
    The e-mail address counts as verified once the person followed the link
    sent to it; only verified accounts take part (consultations, assessments).
    """

    user = models.OneToOneField(
        "auth.User",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    email_verified_at = models.DateTimeField(
        _("e-mail verified at"), null=True, blank=True
    )
    stakeholder_group = models.CharField(
        _("stakeholder group"),
        max_length=24,
        choices=StakeholderGroup.choices,
        blank=True,
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country or area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    show_name = models.BooleanField(
        _("show my name publicly"),
        default=False,
        help_text=_("Without it, your contributions are shown without your name."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


class RateWindow(models.Model):
    """Hits counted for one key in one fixed time window (core.ratelimit)."""

    key = models.CharField(_("key"), max_length=200)
    window_start = models.BigIntegerField(_("window start (Unix time)"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("rate-limit window")
        verbose_name_plural = _("rate-limit windows")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="core_ratewindow_unique"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.count}"
