"""Partner sources that the clearinghouse harvests, and the log of each harvest."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.library.models import DocumentType
from clearinghouse.taxonomy.models import Issue


class SourceKind(models.TextChoices):
    """The standard a source publishes in."""

    OAI_PMH = "oai-pmh", _("OAI-PMH 2.0")
    FEED = "feed", _("RSS or Atom feed")
    ICALENDAR = "ical", _("iCalendar feed")
    CLEARINGHOUSE = "clearinghouse", _("Another clearinghouse's JSON API")


class FeedTarget(models.TextChoices):
    """What the entries of an RSS/Atom feed become here."""

    DOCUMENTS = "documents", _("Library documents")
    EVENTS = "events", _("Events")


class SourceStatus(models.TextChoices):
    """Where a source stands: only approved, active sources are harvested."""

    PROPOSED = "proposed", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class SourceQuerySet(models.QuerySet):
    """Named queries on sources."""

    def active(self) -> "SourceQuerySet":
        """Approved sources that are harvested."""
        return self.filter(status=SourceStatus.ACTIVE)

    def due(self, now) -> "SourceQuerySet":
        """Active sources whose next harvest time has come."""
        return self.active().filter(
            models.Q(next_harvest_at__isnull=True) | models.Q(next_harvest_at__lte=now)
        )


class Source(models.Model):
    """A partner's feed or repository that the clearinghouse harvests."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    url = models.URLField(_("address"), max_length=1000)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="sources",
        verbose_name=_("institution"),
    )
    interval_hours = models.PositiveIntegerField(
        _("harvest every (hours)"),
        default=24,
        help_text=_("How often the source is harvested."),
    )
    default_issues = models.ManyToManyField(
        Issue,
        blank=True,
        related_name="+",
        verbose_name=_("default issues"),
        help_text=_("Issues given to every record of this source."),
    )
    default_doc_type = models.CharField(
        _("default document type"),
        max_length=20,
        choices=DocumentType.choices,
        blank=True,
    )
    default_language = models.CharField(
        _("default language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Used when a record does not state its language."),
    )
    feed_target = models.CharField(
        _("feed entries become"),
        max_length=12,
        choices=FeedTarget.choices,
        default=FeedTarget.DOCUMENTS,
    )
    oai_set = models.CharField(_("OAI-PMH set"), max_length=200, blank=True)
    oai_metadata_prefix = models.CharField(
        _("OAI-PMH metadata prefix"), max_length=50, default="oai_dc"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SourceStatus.choices,
        default=SourceStatus.PROPOSED,
        db_index=True,
    )
    notice = models.TextField(
        _("notice"),
        blank=True,
        help_text=_("Why the source was paused, for its owner and the secretariat."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        _("consecutive failures"), default=0
    )
    next_harvest_at = models.DateTimeField(
        _("next harvest at"), null=True, blank=True, db_index=True
    )
    last_success_at = models.DateTimeField(_("last success at"), null=True, blank=True)
    cursor = models.CharField(
        _("harvested up to"),
        max_length=40,
        blank=True,
        help_text=_("OAI-PMH: the datestamp the next harvest starts from."),
    )
    etag = models.CharField(_("ETag"), max_length=300, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    lease_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    lease_token = models.CharField(_("lock token"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner source")
        verbose_name_plural = _("partner sources")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "url", "oai_set"], name="federation_source_unique_url"
            ),
            models.CheckConstraint(
                condition=models.Q(interval_hours__gte=1),
                name="federation_source_interval_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("federation:source", args=[self.pk])

    @property
    def key(self) -> str:
        """The provenance key of this source's records in the library."""
        return f"federation:{self.pk}"


class RunStatus(models.TextChoices):
    """How a harvest ended."""

    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Partly failed")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (already running)")


class HarvestRun(models.Model):
    """One harvest of a source: when, what it did, and what went wrong."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="runs", verbose_name=_("source")
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    complete = models.BooleanField(
        _("complete listing"),
        default=False,
        help_text=_("The whole source was listed, so records it no longer has go."),
    )
    fetched = models.PositiveIntegerField(_("fetched"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    requests = models.PositiveIntegerField(_("requests"), default=0)
    retries = models.PositiveIntegerField(_("retries"), default=0)
    errors = models.JSONField(
        _("errors"),
        default=list,
        blank=True,
        help_text=_("Each error with the record it concerns, if any."),
    )

    class Meta:
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"
