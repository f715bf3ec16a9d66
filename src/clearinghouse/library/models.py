"""The virtual library: documents, their files, issue tags and provenance."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import Country, Region
from clearinghouse.events.models import Event
from clearinghouse.taxonomy.models import Issue

# Caps on stored text, so that one harvested record cannot fill the database.
TITLE_MAX = 500
SUMMARY_MAX = 10_000
AUTHOR_MAX = 300
AUTHORS_MAX = 200

# Where a locally added document comes from (every other source key names a
# partner source, such as "federation:12").
LOCAL_SOURCES = ("form", "upload")


class DocumentType(models.TextChoices):
    """What kind of document it is."""

    RESEARCH = "research", _("Research")
    BEST_PRACTICE = "best_practice", _("Best practice")
    LAW = "law", _("Law or regulation")
    POLICY = "policy", _("Policy")
    REPORT = "report", _("Report")
    PROCEEDINGS = "proceedings", _("Proceedings")
    STANDARD = "standard", _("Standard")
    NEWS = "news", _("News")
    TOOLKIT = "toolkit", _("Toolkit")


class DocumentStatus(models.TextChoices):
    """Where a document stands in the library."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DatePrecision(models.TextChoices):
    """How much of a document's date the source gives."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class DocumentQuerySet(models.QuerySet):
    """Named queries on documents."""

    def published(self) -> "DocumentQuerySet":
        """Documents the public sees."""
        return self.filter(status=DocumentStatus.PUBLISHED)

    def awaiting_review(self) -> "DocumentQuerySet":
        """Submissions waiting for the secretariat, oldest first."""
        return self.filter(status=DocumentStatus.SUBMITTED).order_by("created_at", "pk")

    def for_issue(self, issue: Issue) -> "DocumentQuerySet":
        """Documents tagged with an issue (confirmed or suggested)."""
        return self.filter(issue_tags__issue=issue).distinct()


class Document(models.Model):
    """A document of the library: a study, a law, a report, a best practice, …

    A withdrawn document stays as a row (a tombstone), because OAI-PMH deleted
    records are persistent: harvesters must learn that it is gone.
    `updated_at` changes only when something about the document changes, and
    is the OAI-PMH datestamp.
    """

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    title_key = models.CharField(
        _("title for matching"),
        max_length=TITLE_MAX,
        blank=True,
        db_index=True,
        editable=False,
    )
    summary = models.TextField(_("summary"), blank=True, max_length=SUMMARY_MAX)
    body = models.TextField(
        _("full text"),
        blank=True,
        help_text=_("The text of the document, extracted from its file or given."),
    )
    authors = models.JSONField(_("authors"), default=list, blank=True)
    institutions = models.ManyToManyField(
        Institution,
        verbose_name=_("publishing institutions"),
        blank=True,
        related_name="documents",
    )
    date = models.DateField(_("date"), null=True, blank=True, db_index=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    doc_type = models.CharField(
        _("type"), max_length=16, choices=DocumentType.choices, default="report"
    )
    jurisdiction_country = models.ForeignKey(
        Country,
        verbose_name=_("jurisdiction (country or area)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    jurisdiction_region = models.ForeignKey(
        Region,
        verbose_name=_("jurisdiction (region)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    language = models.CharField(
        _("language"),
        max_length=7,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank when unknown."),
    )
    issues = models.ManyToManyField(
        Issue,
        verbose_name=_("issues"),
        through="DocumentIssue",
        blank=True,
        related_name="documents",
    )
    presented_at = models.ManyToManyField(
        Event,
        verbose_name=_("presented at"),
        blank=True,
        related_name="documents",
    )
    url = models.URLField(_("web address"), max_length=1000, blank=True)
    canonical_url = models.CharField(
        _("canonical web address"),
        max_length=1000,
        blank=True,
        db_index=True,
        editable=False,
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=300,
        blank=True,
        help_text=_("A DOI, a handle or a UN document symbol."),
    )
    doi = models.CharField(
        _("DOI"), max_length=300, blank=True, db_index=True, editable=False
    )
    licence = models.CharField(_("licence"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DocumentStatus.choices,
        default=DocumentStatus.DRAFT,
        db_index=True,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
        db_index=False,  # see Meta.indexes
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-date", "-pk"]
        # The keys that most documents leave empty (every harvested one) are
        # indexed where set: a query by one (`= …`, `IN (…)`, a deletion's
        # search) implies it is set, and an insert of an empty one writes no
        # index entry (decision record 0007, §35).
        indexes = [
            models.Index(
                fields=[name],
                condition=models.Q(**{f"{name}__isnull": False}),
                name=f"library_document_{short}_set",
            )
            for name, short in (
                ("jurisdiction_country", "country"),
                ("jurisdiction_region", "region"),
                ("submitted_by", "submitter"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="withdrawn", withdrawn_at__isnull=False)
                | (~models.Q(status="withdrawn") & models.Q(withdrawn_at__isnull=True)),
                name="library_document_withdrawn_has_time",
                violation_error_message=_(
                    "A withdrawn document records when it was withdrawn."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="library_document_has_title",
                violation_error_message=_("A document needs a title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:document", kwargs={"pk": self.pk})

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None


class DocumentIssue(models.Model):
    """An issue tag on a document: suggested from the text, or confirmed."""

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="issue_tags",
    )
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.CASCADE,
        related_name="document_tags",
    )
    confirmed = models.BooleanField(
        _("confirmed by a curator"),
        default=False,
        help_text=_("Unconfirmed tags were suggested from the text."),
    )
    score = models.FloatField(_("score"), default=0.0)

    class Meta:
        verbose_name = _("issue tag")
        verbose_name_plural = _("issue tags")
        ordering = ["-confirmed", "-score", "issue_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "issue"], name="library_documentissue_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} – {self.issue_id}"


def _upload_to(instance: "DocumentFile", filename: str) -> str:
    # The stored name never derives from the uploaded one.
    return f"library/{secrets.token_hex(2)}/{secrets.token_hex(16)}"


class DocumentFile(models.Model):
    """A file uploaded for a document, checked by its content.

    A file waits without a document while its uploader corrects the text
    extracted from it; it is attached when the document is saved.
    """

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(_("stored file"), upload_to=_upload_to, max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    text = models.TextField(_("extracted text"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DocumentProvenance(models.Model):
    """One source a document came from: a partner's record, the form or an upload."""

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="provenances",
    )
    source_key = models.CharField(
        _("source key"),
        max_length=100,
        help_text=_("“form”, “upload” or the partner source, such as “federation:12”."),
    )
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), max_length=1000, blank=True)
    original_identifier = models.CharField(_("original identifier"), max_length=500)
    datestamp = models.DateTimeField(
        _("datestamp at the source"), null=True, blank=True
    )
    fetched_at = models.DateTimeField(_("fetched at"))
    deleted_upstream = models.BooleanField(_("deleted at the source"), default=False)

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenances")
        ordering = ["fetched_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key", "original_identifier"],
                name="library_provenance_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_key}:{self.original_identifier}"

    @property
    def is_local(self) -> bool:
        return self.source_key in LOCAL_SOURCES


class SavedSearch(models.Model):
    """A search a person keeps, with a private Atom feed of its newest results."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="library_saved_searches",
    )
    name = models.CharField(_("name"), max_length=200)
    query = models.CharField(
        _("query"),
        max_length=2000,
        blank=True,
        help_text=_("The search's query string: words and filters."),
    )
    token = models.CharField(
        _("feed token"), max_length=64, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_feed_url(self) -> str:
        return reverse("library-feed", kwargs={"token": self.token})
