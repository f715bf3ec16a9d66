"""Consultations: questions, contributions, votes, reports, and their synthesis.

A consultation is about one subject of the clearinghouse (an issue, a cell
of the matrix, a milestone or a proposal) so that its outcome shows there.
Every text a participant writes is a Contribution — an answer to an open
question, a statement, a comment or a reply — so that one moderation queue
and one spam filter serve them all.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.models import TimeStamped

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
MAX_BODY = 20_000
MAX_STATEMENT = 280


RESERVED_SLUGS = frozenset({"moderation", "mine"})


def validate_consultation_slug(value: str) -> None:
    """Refuse identifiers that would hide a consultations page."""
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” names a page of the site; choose another identifier."),
            params={"slug": value},
        )


class ConsultationQuerySet(models.QuerySet):
    """Named reads of consultations."""

    def published(self) -> "ConsultationQuerySet":
        return self.filter(is_published=True)

    def about(self, *, issue=None, institution=None, milestone=None, proposal=None):
        """Consultations whose subject is this record (a cell needs both)."""
        if milestone is not None:
            return self.filter(milestone=milestone)
        if proposal is not None:
            return self.filter(proposal=proposal)
        if institution is not None:
            return self.filter(issue=issue, institution=institution)
        return self.filter(issue=issue, institution__isnull=True)


class Consultation(TimeStamped):
    """A consultation: its background, dates, working languages and subject."""

    slug = models.SlugField(
        _("identifier"),
        max_length=80,
        unique=True,
        validators=[validate_consultation_slug],
    )
    title = models.CharField(_("title"), max_length=300)
    background = models.TextField(_("background"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    working_languages = models.JSONField(
        _("working languages"),
        default=list,
        blank=True,
        help_text=_("Language codes: ar, zh-hans, en, fr, ru, es."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    issue = models.ForeignKey(
        "taxonomy.Issue",
        verbose_name=_("issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    institution = models.ForeignKey(
        "actors.Institution",
        verbose_name=_("institution (with the issue: a cell of the matrix)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    milestone = models.ForeignKey(
        "roadmap.Milestone",
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    proposal = models.ForeignKey(
        "roadmap.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    outcome = models.TextField(
        _("outcome"),
        blank=True,
        help_text=_("What came of it, shown on the page of its subject."),
    )
    # Bumped by every write that changes the synthesis: its cache key.
    data_version = models.PositiveIntegerField(_("data version"), default=0)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
                violation_error_message=_("A consultation closes after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(institution__isnull=True) | Q(issue__isnull=False),
                name="consultation_cell_has_issue",
                violation_error_message=_(
                    "A cell of the matrix is an issue and an institution: "
                    "choose the issue too."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", args=[self.slug])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class ConsultationDocument(models.Model):
    """A document the consultation rests on: a title and a link."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address (URL)"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    OPEN = "open", _("Open question")
    CHOICE = "choice", _("Choice question")
    STATEMENTS = "statements", _("Statements to vote on")


class Question(models.Model):
    """A question of a consultation, of one of three kinds."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Option(models.Model):
    """One answer a choice question offers."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="options",
    )
    text = models.CharField(_("option"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class Choice(TimeStamped):
    """A participant's answer to a choice question (one per participant)."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    option = models.ForeignKey(
        Option,
        verbose_name=_("option"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="consultation_choices",
    )

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "participant"], name="choice_one_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.option}"


class ContributionKind(models.TextChoices):
    ANSWER = "answer", _("Answer")
    STATEMENT = "statement", _("Statement")
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    SPAM = "spam", _("Removed as spam")
    OFF_TOPIC = "off_topic", _("Removed as off-topic")


REMOVED = (Status.SPAM, Status.OFF_TOPIC)


class ContributionQuerySet(models.QuerySet):
    """Named reads of contributions."""

    def published(self) -> "ContributionQuerySet":
        return self.filter(status=Status.PUBLISHED)

    def pending(self) -> "ContributionQuerySet":
        return self.filter(status=Status.PENDING)


class Contribution(TimeStamped):
    """A text a participant wrote: answer, statement, comment or reply."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContributionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    body = models.TextField(_("text"), max_length=MAX_BODY)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        help_text=_("Detected from the text; empty when it could not be told."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    held_because = models.CharField(_("held because"), max_length=200, blank=True)
    spam_score = models.FloatField(_("spam score"), null=True, blank=True)
    link_count = models.PositiveIntegerField(_("links"), default=0)
    fill_seconds = models.FloatField(_("seconds to write"), null=True, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(
        _("reason given to the author"), blank=True, max_length=2000
    )

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created_at", "pk"]
        permissions = [("moderate_contribution", _("Can moderate contributions"))]
        indexes = [
            models.Index(fields=["question", "status"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["answer", "statement"], parent__isnull=True)
                | Q(kind__in=["comment", "reply"], parent__isnull=False),
                name="contribution_parent_matches_kind",
                violation_error_message=_(
                    "Comments and replies answer another contribution; "
                    "answers and statements stand alone."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def consultation(self) -> Consultation:
        return self.question.consultation


class VoteValue(models.IntegerChoices):
    AGREE = 1, _("Agree")
    DISAGREE = -1, _("Disagree")
    PASS = 0, _("Pass")


class Vote(models.Model):
    """A participant's vote on a statement: one each, changeable while open."""

    statement = models.ForeignKey(
        Contribution,
        verbose_name=_("statement"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="consultation_votes",
    )
    value = models.SmallIntegerField(_("vote"), choices=VoteValue.choices)
    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "participant"], name="vote_one_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[-1, 0, 1]), name="vote_value_known"
            ),
        ]
        # Covers the synthesis' read of every vote of a consultation, so the
        # database answers from the index without visiting the table.
        indexes = [
            models.Index(
                fields=["consultation", "participant", "statement", "value"],
                name="vote_synthesis_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.statement_id}: {self.value}"


class Report(models.Model):
    """A signed-in reader's report that a contribution breaks the rules."""

    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("why"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "reporter"], name="report_once_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reporter_id} → {self.contribution_id}"


class SpamModel(models.Model):
    """The trained spam classifier's counts (one row, updated in place)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    counts = models.BinaryField(_("feature counts"))
    documents = models.JSONField(_("documents per class"), default=list)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("spam classifier")
        verbose_name_plural = _("spam classifiers")

    def __str__(self) -> str:
        return self.name


class Synthesis(models.Model):
    """A consultation's computed synthesis, cached under its data version."""

    consultation = models.OneToOneField(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="synthesis",
    )
    version = models.PositiveIntegerField(_("data version"))
    data = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"), default=0)

    class Meta:
        verbose_name = _("synthesis")
        verbose_name_plural = _("syntheses")

    def __str__(self) -> str:
        return f"{self.consultation} v{self.version}"
