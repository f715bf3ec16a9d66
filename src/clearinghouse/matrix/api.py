"""API router of the matrix: mandates, the matrix itself and its gaps.

The matrix and gap endpoints take the same query parameters as the pages and
validate them with the same forms, so they return the same rows.
"""

from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clearinghouse.actors.models import Institution
from clearinghouse.api.errors import (
    ApiError,
    not_found,
    write_errors,
)
from clearinghouse.api.schemas import Detail, Source, source_of
from clearinghouse.security.auth import write_auth
from clearinghouse.security.permissions import require_can_edit
from clearinghouse.security.services import audit_request
from clearinghouse.taxonomy.models import Issue

from . import services
from .exports import gap_rows, matrix_rows
from .filters import GapFilterForm, MatrixFilterForm
from .models import Mandate, MandateStatus, RoleCode
from .selectors import gaps_build, matrix_build

router = Router(tags=["matrix"])


class MatrixQuery(Schema):
    area: list[str] = Field(default_factory=list, description="Area slugs")
    group: list[str] = Field(default_factory=list, description="Stakeholder groups")
    region: list[str] = Field(default_factory=list, description="UN M49 region codes")
    role: list[str] = Field(default_factory=list, description="Role codes")
    status: list[str] = Field(default_factory=list, description="Mandate statuses")


class GapQuery(Schema):
    area: list[str] = Field(default_factory=list, description="Area slugs")
    group: list[str] = Field(default_factory=list, description="Stakeholder groups")
    region: list[str] = Field(default_factory=list, description="UN M49 region codes")
    role: list[str] = Field(default_factory=list, description="Role codes")


class MatrixRow(Schema):
    area: str
    issue: str
    issue_name: str
    institution: str
    institution_name: str
    acronym: str
    stakeholder_group: str
    roles: list[str]
    status: str
    since_year: int | None
    concerns: int


class MatrixOut(Schema):
    issues: list[str] = Field(description="Row issues, in order (empty rows too)")
    institutions: list[str] = Field(description="Column institutions, in order")
    rows: list[MatrixRow] = Field(description="One per filled cell")


class GapIssue(Schema):
    area: str
    issue: str
    issue_name: str


class GapGroup(GapIssue):
    stakeholder_group: str
    institutions: list[str]


class GapDuplication(GapIssue):
    role: str
    institutions: list[str]


class GapsOut(Schema):
    no_home: list[GapIssue]
    single_group: list[GapGroup]
    duplication: list[GapDuplication]


class MandateOut(Schema):
    id: int
    institution: str
    issue: str
    roles: list[str]
    status: str
    since_year: int | None
    note: str
    source: Source
    concerns: list[dict]


class MandateIn(Schema):
    institution: str
    issue: str
    roles: list[RoleCode] = Field(..., min_length=1)
    status: MandateStatus = MandateStatus.ACTIVE
    since_year: int | None = Field(None, ge=1850, le=2100)
    note: str = Field("", max_length=4000)
    source_quote: str = Field("", max_length=4000)
    source_url: str = Field("", max_length=500)
    source_title: str = Field("", max_length=500)


class MandatePatch(Schema):
    roles: list[RoleCode] | None = Field(None, min_length=1)
    status: MandateStatus | None = None
    since_year: int | None = Field(None, ge=1850, le=2100)
    note: str | None = Field(None, max_length=4000)
    source_quote: str | None = Field(None, max_length=4000)
    source_url: str | None = Field(None, max_length=500)
    source_title: str | None = Field(None, max_length=500)


def _form_data(query: Schema) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in query.dict().items():
        data.setlist(key, [str(value) for value in values])
    return data


def _mandate_out(mandate: Mandate) -> dict:
    return {
        "id": mandate.pk,
        "institution": mandate.institution.slug,
        "issue": mandate.issue.slug,
        "roles": [role.code for role in mandate.roles.all()],
        "status": mandate.status,
        "since_year": mandate.since_year,
        "note": mandate.note,
        "source": source_of(mandate),
        "concerns": [
            {
                "kind": concern.kind,
                "raised_by": concern.raised_by,
                "summary": concern.summary,
                "source": source_of(concern),
            }
            for concern in mandate.concerns.all()
        ],
    }


def _mandate(pk: int) -> Mandate:
    mandate = (
        Mandate.objects.select_related("institution", "issue")
        .prefetch_related("roles", "concerns")
        .filter(pk=pk)
        .first()
    )
    if mandate is None:
        raise not_found(_("mandate"), str(pk))
    return mandate


@router.get("/matrix", response={200: MatrixOut, 400: Detail}, summary="The matrix")
def get_matrix(request, filters: Query[MatrixQuery]):
    """The same rows as the matrix page and its exports, for the same filters."""
    form = MatrixFilterForm(_form_data(filters))
    if not form.is_valid():
        raise ApiError(400, form.error_messages())
    matrix = matrix_build(filters=form.filters())
    return {
        "issues": [row.issue.slug for row in matrix.rows],
        "institutions": [institution.slug for institution in matrix.institutions],
        "rows": matrix_rows(matrix),
    }


@router.get("/mandates", response={200: list[MatrixRow], 400: Detail})
def list_mandates(request, filters: Query[MatrixQuery]):
    """Every mandate that passes the filters (the matrix's filled cells)."""
    return get_matrix(request, filters)["rows"]


@router.get("/gaps", response={200: GapsOut, 400: Detail}, summary="Gaps")
def get_gaps(request, filters: Query[GapQuery]):
    """The three gap lists, among active mandates, as on the gaps page."""
    form = GapFilterForm(_form_data(filters))
    if not form.is_valid():
        raise ApiError(400, form.error_messages())
    gaps = gaps_build(filters=form.filters())
    return {
        kind: gap_rows(gaps, kind)
        for kind in ("no_home", "single_group", "duplication")
    }


@router.get("/mandates/{mandate_id}", response={200: MandateOut, 404: Detail})
def get_mandate(request, mandate_id: int):
    return _mandate_out(_mandate(mandate_id))


@router.post(
    "/mandates",
    response={201: MandateOut, 400: Detail, 401: Detail, 403: Detail},
    auth=write_auth,
)
def create_mandate(request, data: MandateIn):
    payload = data.dict()
    issue = Issue.objects.filter(slug=payload.pop("issue")).first()
    institution = Institution.objects.filter(slug=payload.pop("institution")).first()
    errors = []
    if issue is None:
        errors.append(_("Unknown issue “%(issue)s”.") % {"issue": data.issue[:80]})
    if institution is None:
        errors.append(
            _("Unknown institution “%(institution)s”.")
            % {"institution": data.institution[:80]}
        )
    if errors:
        raise ApiError(400, errors)
    require_can_edit(request, institutions=[institution])
    with write_errors(_("This institution already has a mandate on this issue.")):
        mandate = services.mandate_create(
            institution=institution,
            issue=issue,
            roles=[str(role) for role in payload.pop("roles")],
            **payload,
        )
    audit_request(request, action="mandate.create", target=mandate)
    return Status(201, _mandate_out(_mandate(mandate.pk)))


@router.patch(
    "/mandates/{mandate_id}",
    response={200: MandateOut, 400: Detail, 401: Detail, 403: Detail, 404: Detail},
    auth=write_auth,
)
def update_mandate(request, mandate_id: int, data: MandatePatch):
    mandate = _mandate(mandate_id)
    require_can_edit(request, mandate)
    payload = data.dict(exclude_unset=True)
    roles = payload.pop("roles", None)
    with write_errors(_("This institution already has a mandate on this issue.")):
        services.mandate_update(
            mandate=mandate,
            roles=[str(role) for role in roles] if roles is not None else None,
            **payload,
        )
    audit_request(request, action="mandate.update", target=mandate)
    return _mandate_out(_mandate(mandate_id))


@router.delete(
    "/mandates/{mandate_id}",
    response={204: None, 401: Detail, 403: Detail, 404: Detail},
    auth=write_auth,
)
def delete_mandate(request, mandate_id: int):
    mandate = _mandate(mandate_id)
    require_can_edit(request, mandate)
    audit_request(request, action="mandate.delete", target=mandate)
    services.mandate_delete(mandate=mandate)
    return Status(204, None)
