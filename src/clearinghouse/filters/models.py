"""Governance filters: versioned questions and rules, and assessments of issues.

The questions and the rules that map answers to an outcome are data. A
version holds a whole set of both and never changes once saved: the
secretariat's edits create the next version (see services.filter_version_revise),
and every assessment keeps the version it answered, so an old assessment is
shown with the questions and rules it was made under.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.taxonomy.models import Issue


class Answer(models.TextChoices):
    """The answers a filter question takes."""

    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    DONT_KNOW = "dont_know", _("Don't know")


class Outcome(models.TextChoices):
    """Where the filters lead for an issue."""

    LEAVE_TO_EXISTING = "leave_to_existing", _("Leave to the existing bodies")
    IMPROVE_COORDINATION = (
        "improve_coordination",
        _("Improve coordination among existing bodies"),
    )
    NATIONAL_REGIONAL = "national_regional", _("National or regional action")
    INTERNATIONAL_COOPERATION = (
        "international_cooperation",
        _("International cooperation needed"),
    )
    NEEDS_A_HOME = "needs_a_home", _("Needs a home")


class MatrixCondition(models.TextChoices):
    """What a rule may require of the matrix, as the assessment recorded it."""

    ANY = "", _("Nothing")
    NO_ACTIVE_MANDATE = "no_active_mandate", _("No active mandate on the issue")
    ACTIVE_MANDATES = "active_mandates", _("At least one active mandate")
    SHARED_ROLE = "shared_role", _("Several bodies share a role")


class FilterVersion(models.Model):
    """One version of the whole set of questions and rules; never edited."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("what changed"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("filter version")
        verbose_name_plural = _("filter versions")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="filters_version_from_one"
            )
        ]

    def __str__(self) -> str:
        return str(_("Version %(number)s") % {"number": self.number})


class Question(models.Model):
    """A filter question of one version, identified by a key kept across versions."""

    version = models.ForeignKey(
        FilterVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    key = models.SlugField(_("key"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("question"), max_length=500)
    help = models.TextField(_("explanation"), blank=True, max_length=2000)
    source_quote = models.TextField(
        _("source quote"),
        blank=True,
        max_length=2000,
        help_text=_("The sentence of the summary the question rests on."),
    )
    from_matrix = models.BooleanField(
        _("pre-filled from the matrix"),
        default=False,
        help_text=_("Whether existing bodies deal with the issue, from the matrix."),
    )

    class Meta:
        verbose_name = _("filter question")
        verbose_name_plural = _("filter questions")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="filters_question_key_per_version"
            ),
            models.UniqueConstraint(
                fields=["version", "order"], name="filters_question_order_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


class Rule(models.Model):
    """Answers that lead to an outcome: every condition must hold.

    `conditions` maps question keys to the answers that satisfy them, e.g.
    {"cross_border": ["yes", "partly"], "action_agreed": ["yes"]}. Rules are
    tried in order; the first that holds gives the outcome.
    """

    version = models.ForeignKey(
        FilterVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    key = models.SlugField(_("key"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices)
    conditions = models.JSONField(_("conditions on answers"), default=dict)
    matrix_condition = models.CharField(
        _("condition on the matrix"),
        max_length=24,
        choices=MatrixCondition.choices,
        blank=True,
    )
    explanation = models.TextField(_("explanation"), blank=True, max_length=2000)
    source_quote = models.TextField(
        _("source quote"),
        blank=True,
        max_length=2000,
        help_text=_("The sentence of the summary the rule rests on."),
    )

    class Meta:
        verbose_name = _("filter rule")
        verbose_name_plural = _("filter rules")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="filters_rule_key_per_version"
            ),
            models.UniqueConstraint(
                fields=["version", "order"], name="filters_rule_order_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.get_outcome_display()}"


class AssessmentQuerySet(models.QuerySet):
    """Named queries on assessments."""

    def current(self) -> "AssessmentQuerySet":
        """Each author's latest assessment of each issue (the ones that count)."""
        return self.filter(is_current=True)


class Assessment(models.Model):
    """An issue put through the filters by a participant or for a meeting."""

    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.CASCADE,
        related_name="filter_assessments",
    )
    version = models.ForeignKey(
        FilterVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filter_assessments",
    )
    stakeholder_group = models.CharField(
        _("stakeholder group"),
        max_length=24,
        choices=StakeholderGroup.choices,
        blank=True,
        help_text=_("Blank only for a meeting speaking as a whole."),
    )
    on_behalf_of = models.CharField(
        _("on behalf of the meeting"),
        max_length=300,
        blank=True,
        help_text=_("The meeting whose position the secretariat records."),
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=32, choices=Outcome.choices, blank=True
    )
    rule = models.ForeignKey(
        Rule,
        verbose_name=_("rule applied"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the matrix showed when the assessment was made: kept, so that the
    # reason given for the outcome stays true after the matrix changes.
    matrix_mandates = models.JSONField(
        _("active mandates at the time"), default=list, blank=True
    )
    matrix_shared_role = models.BooleanField(
        _("several bodies shared a role"), default=False
    )
    # Each answer's value by question key, copied from the answers so that
    # the consensus map reads every assessment in one pass of one table.
    answer_values = models.JSONField(_("answers by question"), default=dict)
    is_current = models.BooleanField(_("current"), default=True)
    origin_key = models.CharField(
        _("dataset key"),
        max_length=100,
        blank=True,
        help_text=_("The assessment's identifier in the dataset it was loaded from."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["issue", "is_current"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stakeholder_group="") | ~models.Q(on_behalf_of=""),
                name="filters_assessment_declares_group",
                violation_error_message=_(
                    "Declare a stakeholder group, or the meeting the assessment "
                    "speaks for."
                ),
            ),
            models.UniqueConstraint(
                fields=["issue", "author"],
                condition=models.Q(is_current=True, author__isnull=False)
                & models.Q(on_behalf_of=""),
                name="filters_assessment_one_current_per_author",
            ),
            models.UniqueConstraint(
                fields=["origin_key"],
                condition=~models.Q(origin_key=""),
                name="filters_assessment_origin_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} — {self.get_outcome_display() or '—'}"


class AnswerRecord(models.Model):
    """One answer of an assessment, with its rationale and sources."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The question's key, copied so the consensus map groups by it in one query.
    key = models.SlugField(_("question key"), max_length=40)
    value = models.CharField(_("answer"), max_length=12, choices=Answer.choices)
    rationale = models.TextField(_("rationale"), blank=True, max_length=4000)
    source_quote = models.TextField(_("source quote"), blank=True, max_length=4000)
    source_urls = models.JSONField(_("source URLs"), default=list, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["assessment", "question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"],
                name="filters_answer_one_per_question",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
