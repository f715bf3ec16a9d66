"""API router of the governance filters: questions and rules by version,
assessments (read by anyone; written by verified participants with a session
and the CSRF token) and the consensus figures."""

from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import SessionAuth

from clearinghouse.api.errors import ApiError, not_found
from clearinghouse.api.schemas import Detail
from clearinghouse.events.models import Event
from clearinghouse.taxonomy.models import Issue

from . import selectors, services
from .models import Answer, Assessment, FilterVersion

router = Router(tags=["filters"])


class ParticipantSession(SessionAuth):
    """The session of a signed-in user, with the CSRF token; a 401 that says
    what to do otherwise (whether the account may assess is the service's)."""

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        raise ApiError(
            401, [_("Sign in with a verified e-mail address to assess an issue.")]
        )


class QuestionOut(Schema):
    key: str
    order: int
    text: str
    help: str
    from_matrix: bool
    source_quote: str


class RuleOut(Schema):
    key: str
    order: int
    outcome: str
    conditions: dict[str, list[str]]
    matrix_condition: str
    explanation: str
    source_quote: str


class VersionOut(Schema):
    number: int
    created_at: datetime
    note: str


class VersionQuery(Schema):
    version: int | None = Field(
        None, ge=1, description="Version number; the current one by default"
    )


class AnswerIn(Schema):
    value: Answer
    rationale: str = Field("", max_length=4000)
    source_urls: list[str] = Field(default_factory=list, max_length=20)


class AssessmentIn(Schema):
    issue: str = Field(description="Issue slug", max_length=100)
    stakeholder_group: str = Field("", max_length=24)
    answers: dict[str, AnswerIn] = Field(description="One answer per question key")
    on_behalf_of: str = Field(
        "", max_length=300, description="Secretariat only: the meeting"
    )
    event: int | None = Field(
        None, description="Secretariat only: the meeting's event id"
    )


class AnswerOut(Schema):
    question: str
    value: str
    rationale: str
    source_quote: str
    source_urls: list[str]


class AssessmentOut(Schema):
    id: int
    issue: str
    version: int
    created_at: datetime
    stakeholder_group: str
    author: str = Field(description="Only where the author consented to show it")
    on_behalf_of: str
    outcome: str
    outcome_label: str
    reason: str
    current: bool
    answers: list[AnswerOut]


class GroupOut(Schema):
    group: str = Field(description='Stakeholder group, or "" for a meeting as a whole')
    counts: dict[str, int]
    position: float | None


class QuestionConsensusOut(Schema):
    question: str
    agreement: float | None
    status: str
    groups: list[GroupOut]


class IssueConsensusOut(Schema):
    issue: str
    name: str
    assessments: int
    outcomes: dict[str, int]
    leading_outcome: str
    leading_share: float
    agreement: float | None
    status: str
    questions: list[QuestionConsensusOut]


class ConsensusOut(Schema):
    assessments: int
    outcomes: dict[str, int]
    ranked: list[str] = Field(
        description=(
            "Issues led to needs_a_home or international_cooperation, most agreed first"
        )
    )
    issues: list[IssueConsensusOut]


def _version(number: int | None) -> FilterVersion:
    version = (
        selectors.version_by_number(number) if number else selectors.current_version()
    )
    if version is None:
        raise not_found(_("version"), str(number or ""))
    return version


@router.get("/filters/versions", response=list[VersionOut])
def list_versions(request):
    """Every version of the questions and rules, newest first."""
    return selectors.versions()


@router.get("/filters/questions", response={200: list[QuestionOut], 404: Detail})
def list_questions(request, query: Query[VersionQuery]):
    """The questions of a version."""
    return selectors.version_questions(_version(query.version))


@router.get("/filters/rules", response={200: list[RuleOut], 404: Detail})
def list_rules(request, query: Query[VersionQuery]):
    """The rules of a version, in the order they are tried."""
    return selectors.version_rules(_version(query.version))


def _assessment_out(assessment: Assessment) -> dict:
    questions = selectors.version_questions(assessment.version)
    verdict = selectors.verdict_of(assessment, questions)
    return {
        "id": assessment.pk,
        "issue": assessment.issue.slug,
        "version": assessment.version.number,
        "created_at": assessment.created_at,
        "stakeholder_group": assessment.stakeholder_group,
        "author": selectors.author_name(assessment),
        "on_behalf_of": assessment.on_behalf_of,
        "outcome": assessment.outcome,
        "outcome_label": verdict.outcome_label,
        "reason": verdict.reason(),
        "current": assessment.is_current,
        "answers": [
            {
                "question": a.key,
                "value": a.value,
                "rationale": a.rationale,
                "source_quote": a.source_quote,
                "source_urls": a.source_urls,
            }
            for a in assessment.answers.all()
        ],
    }


class AssessmentQuery(Schema):
    issue: str | None = Field(None, max_length=100, description="Issue slug")


@router.get("/filters/assessments", response={200: list[AssessmentOut], 404: Detail})
def list_assessments(request, query: Query[AssessmentQuery]):
    """Current assessments, of one issue or of all."""
    qs = (
        Assessment.objects.current()
        .select_related("issue", "version", "rule", "author__profile")
        .prefetch_related("answers")
    )
    if query.issue:
        if not Issue.objects.filter(slug=query.issue).exists():
            raise not_found(_("issue"), query.issue)
        qs = qs.filter(issue__slug=query.issue)
    return [
        _assessment_out(a) for a in qs.order_by("issue__slug", "-created_at")[:2000]
    ]


@router.get("/filters/assessments/{int:pk}", response={200: AssessmentOut, 404: Detail})
def get_assessment(request, pk: int):
    """One assessment with its answers, outcome and reason."""
    assessment = selectors.assessment_detail(pk)
    if assessment is None:
        raise not_found(_("assessment"), str(pk))
    return _assessment_out(assessment)


@router.post(
    "/filters/assessments",
    response={201: AssessmentOut, 401: Detail, 403: Detail, 404: Detail, 422: Detail},
    auth=ParticipantSession(),
)
def create_assessment(request, data: AssessmentIn):
    """Assess an issue (verified participants; the secretariat also on behalf
    of a meeting). A half-filled or contradictory assessment is a 422 naming
    the conflict."""
    issue = Issue.objects.filter(slug=data.issue).first()
    if issue is None:
        raise not_found(_("issue"), data.issue)
    event = None
    if data.event is not None:
        event = Event.objects.filter(pk=data.event).first()
        if event is None:
            raise not_found(_("event"), str(data.event))
    try:
        assessment = services.assessment_create(
            issue=issue,
            by=request.user,
            stakeholder_group=data.stakeholder_group,
            answers={
                key: {**answer.dict(), "value": str(answer.value)}
                for key, answer in data.answers.items()
            },
            on_behalf_of=data.on_behalf_of,
            event=event,
        )
    except PermissionDenied as error:
        raise ApiError(403, [str(error)]) from error
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            messages = [
                f"{key}: {message}" if key else message
                for key, items in error.message_dict.items()
                for message in items
            ]
        else:
            messages = list(error.messages)
        raise ApiError(422, messages) from error
    return Status(201, _assessment_out(selectors.assessment_detail(assessment.pk)))


def _issue_out(issue: selectors.IssueConsensus) -> dict:
    return {
        "issue": issue.slug,
        "name": issue.name,
        "assessments": issue.assessments,
        "outcomes": {k or "none": n for k, n in issue.outcomes.items()},
        "leading_outcome": issue.leading_outcome,
        "leading_share": round(issue.leading_share, 4),
        "agreement": None if issue.agreement is None else round(issue.agreement, 4),
        "status": issue.status,
        "questions": [
            {
                "question": q.key,
                "agreement": None if q.agreement is None else round(q.agreement, 4),
                "status": q.status,
                "groups": [
                    {"group": g.group, "counts": g.counts, "position": g.position}
                    for g in q.groups
                ],
            }
            for q in issue.questions
        ],
    }


@router.get("/filters/consensus", response=ConsensusOut)
def consensus(request):
    """The consensus map across issues.

    Served as JSON cached per data version and language (the fingerprint is
    read on every request, so it is never stale); the shape is ConsensusOut.
    """
    key = f"filters-consensus-json:{selectors.filters_version()}:{get_language()}"
    body = cache.get(key)
    if body is None:
        result = selectors.consensus_map()
        data = ConsensusOut(
            assessments=result.assessments,
            outcomes={k or "none": n for k, n in result.outcomes.items()},
            ranked=[issue.slug for issue in result.ranked],
            issues=[_issue_out(issue) for issue in result.issues],
        )
        body = data.model_dump_json()
        cache.set(key, body, selectors.CONSENSUS_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/filters/consensus/{slug}", response={200: IssueConsensusOut, 404: Detail})
def issue_consensus(request, slug: str):
    """The consensus map of one issue."""
    issue = Issue.objects.filter(slug=slug).first()
    if issue is None:
        raise not_found(_("issue"), slug)
    result = selectors.consensus_map(issue_ids=[issue.pk]).issue(issue.pk)
    if result is None:
        return _issue_out(
            selectors.IssueConsensus(
                pk=issue.pk, slug=issue.slug, name=issue.name, url=""
            )
        )
    return _issue_out(result)
