"""Embeddings of documents and issues; issue suggestions and per-issue thresholds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clearinghouse.library.models import Document
from clearinghouse.taxonomy.models import Issue


class Embedded(models.Model):
    """A vector kept with its record: encoder name, text hash, float16 bytes."""

    model = models.CharField(_("encoder"), max_length=100)
    text_hash = models.CharField(
        _("hash of the embedded text"), max_length=64, editable=False
    )
    vector = models.BinaryField(_("vector (float16)"))
    embedded_at = models.DateTimeField(_("embedded at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class DocumentVector(Embedded):
    """The embedding of a document's title, summary and the start of its text."""

    document = models.OneToOneField(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="semantic_vector",
    )

    class Meta:
        verbose_name = _("document embedding")
        verbose_name_plural = _("document embeddings")

    def __str__(self) -> str:
        return str(self.document_id)


class IssueVector(Embedded):
    """The embedding of an issue's labels, synonyms and definition in six languages."""

    issue = models.OneToOneField(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.CASCADE,
        related_name="semantic_vector",
    )

    class Meta:
        verbose_name = _("issue embedding")
        verbose_name_plural = _("issue embeddings")

    def __str__(self) -> str:
        return str(self.issue_id)


class SuggestionStatus(models.TextChoices):
    """Where a suggested issue stands."""

    APPLIED = "applied", _("Applied automatically (suggested)")
    OFFERED = "offered", _("Offered to the curator")
    CONFIRMED = "confirmed", _("Confirmed by a curator")
    REJECTED = "rejected", _("Rejected by a curator")


DECIDED = (SuggestionStatus.CONFIRMED, SuggestionStatus.REJECTED)


class IssueSuggestion(models.Model):
    """An issue a document probably belongs to, with its score and its fate."""

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="issue_suggestions",
    )
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    score = models.FloatField(_("score"))
    threshold = models.FloatField(_("threshold when suggested"))
    status = models.CharField(
        _("status"), max_length=10, choices=SuggestionStatus.choices, db_index=True
    )
    created_at = models.DateTimeField(_("suggested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("issue suggestion")
        verbose_name_plural = _("issue suggestions")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "issue"], name="semantic_suggestion_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DECIDED])
                | models.Q(decided_at__isnull=True),
                name="semantic_suggestion_undecided_has_no_time",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=-1.0, score__lte=1.0),
                name="semantic_suggestion_score_is_cosine",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} – {self.issue_id} ({self.score:.2f})"


class IssueThreshold(models.Model):
    """The score above which an issue is applied without a curator, and its evidence."""

    issue = models.OneToOneField(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.CASCADE,
        related_name="suggestion_threshold",
    )
    threshold = models.FloatField(_("threshold"))
    decisions = models.PositiveIntegerField(_("curators' decisions"), default=0)
    precision = models.FloatField(_("estimated precision"), null=True, blank=True)
    calibrated_at = models.DateTimeField(_("calibrated at"), auto_now=True)

    class Meta:
        verbose_name = _("issue threshold")
        verbose_name_plural = _("issue thresholds")
        ordering = ["issue_id"]

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.threshold:.2f}"
