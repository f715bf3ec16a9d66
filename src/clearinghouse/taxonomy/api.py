"""API router of the taxonomy: areas and issues."""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from clearinghouse.api.errors import (
    ApiError,
    not_found,
    require_secretariat,
    write_errors,
)
from clearinghouse.api.schemas import Detail, Source, source_of
from clearinghouse.core.api_helpers import translations
from clearinghouse.security.services import audit_request

from . import selectors, services
from .models import Area, Issue

router = Router(tags=["taxonomy"])


class AreaOut(Schema):
    slug: str
    name: str
    names: dict[str, str]
    definition: str
    issues: list[str]
    source: Source


class IssueBrief(Schema):
    slug: str
    name: str
    area: str


class IssueMandateBrief(Schema):
    institution: str
    roles: list[str]
    status: str
    since_year: int | None


class IssueOut(Schema):
    slug: str
    name: str
    names: dict[str, str]
    definition: str
    area: str
    broader: str | None
    narrower: list[str]
    related: list[str]
    synonyms: dict[str, list[str]]
    mandates: list[IssueMandateBrief]
    url: str
    source: Source


class IssueIn(Schema):
    slug: str = Field(..., max_length=80, pattern=r"^[-a-z0-9]+$")
    area: str
    name: str = Field(..., max_length=200)
    definition: str = Field("", max_length=4000)
    broader: str | None = None
    source_quote: str = Field("", max_length=4000)
    source_url: str = Field("", max_length=500)
    source_title: str = Field("", max_length=500)


class IssuePatch(Schema):
    area: str | None = None
    name: str | None = Field(None, max_length=200)
    definition: str | None = Field(None, max_length=4000)
    broader: str | None = None
    source_quote: str | None = Field(None, max_length=4000)
    source_url: str | None = Field(None, max_length=500)
    source_title: str | None = Field(None, max_length=500)


def _area_out(area: Area) -> dict:
    return {
        "slug": area.slug,
        "name": area.name,
        "names": translations(area, "name"),
        "definition": area.definition,
        "issues": [issue.slug for issue in area.issues.all()],
        "source": source_of(area),
    }


def _issue_out(issue: Issue, request) -> dict:
    synonyms: dict[str, list[str]] = {}
    for synonym in issue.synonyms.all():
        synonyms.setdefault(synonym.language, []).append(synonym.label)
    return {
        "slug": issue.slug,
        "name": issue.name,
        "names": translations(issue, "name"),
        "definition": issue.definition,
        "area": issue.area.slug,
        "broader": issue.broader.slug if issue.broader else None,
        "narrower": [other.slug for other in issue.narrower.all()],
        "related": [other.slug for other in issue.related.all()],
        "synonyms": synonyms,
        "mandates": [
            {
                "institution": mandate.institution.slug,
                "roles": [role.code for role in mandate.roles.all()],
                "status": mandate.status,
                "since_year": mandate.since_year,
            }
            for mandate in selectors.issue_mandates(issue)
        ],
        "url": request.build_absolute_uri(issue.get_absolute_url()),
        "source": source_of(issue),
    }


@router.get("/areas", response=list[AreaOut], summary="Areas and their issues")
def list_areas(request):
    return [
        _area_out(area)
        for area in Area.objects.prefetch_related("issues").order_by("order", "slug")
    ]


@router.get("/areas/{slug}", response={200: AreaOut, 404: Detail})
def get_area(request, slug: str):
    area = Area.objects.prefetch_related("issues").filter(slug=slug).first()
    if area is None:
        raise not_found(_("area"), slug)
    return _area_out(area)


@router.get("/issues", response={200: list[IssueBrief], 400: Detail})
def list_issues(request, area: str | None = None):
    issues = Issue.objects.select_related("area").order_by("area__order", "slug")
    if area:
        if not Area.objects.filter(slug=area).exists():
            raise ApiError(400, [_("Unknown area “%(area)s”.") % {"area": area[:80]}])
        issues = issues.filter(area__slug=area)
    return [
        {"slug": issue.slug, "name": issue.name, "area": issue.area.slug}
        for issue in issues
    ]


@router.get("/issues/{slug}", response={200: IssueOut, 404: Detail})
def get_issue(request, slug: str):
    issue = selectors.issue_detail(slug=slug)
    if issue is None:
        raise not_found(_("issue"), slug)
    return _issue_out(issue, request)


def _resolve(payload: dict) -> dict:
    if "area" in payload and payload["area"] is not None:
        area = Area.objects.filter(slug=payload["area"]).first()
        if area is None:
            raise ApiError(
                400, [_("Unknown area “%(area)s”.") % {"area": payload["area"][:80]}]
            )
        payload["area"] = area
    if payload.get("broader"):
        broader = Issue.objects.filter(slug=payload["broader"]).first()
        if broader is None:
            raise ApiError(
                400,
                [_("Unknown issue “%(issue)s”.") % {"issue": payload["broader"][:80]}],
            )
        payload["broader"] = broader
    return payload


@router.post(
    "/issues",
    response={201: IssueOut, 400: Detail, 401: Detail, 403: Detail},
    auth=django_auth,
)
def create_issue(request, data: IssueIn):
    require_secretariat(request)
    payload = _resolve(data.dict())
    with write_errors(_("This issue conflicts with an existing one.")):
        issue = services.issue_create(**payload)
    audit_request(request, action="issue.create", target=issue)
    return Status(201, _issue_out(selectors.issue_detail(slug=issue.slug), request))


@router.patch(
    "/issues/{slug}",
    response={200: IssueOut, 400: Detail, 401: Detail, 403: Detail, 404: Detail},
    auth=django_auth,
)
def update_issue(request, slug: str, data: IssuePatch):
    require_secretariat(request)
    issue = Issue.objects.filter(slug=slug).first()
    if issue is None:
        raise not_found(_("issue"), slug)
    payload = _resolve(data.dict(exclude_unset=True))
    with write_errors(_("This issue conflicts with an existing one.")):
        services.issue_update(issue=issue, **payload)
    audit_request(request, action="issue.update", target=issue)
    return _issue_out(selectors.issue_detail(slug=issue.slug), request)
