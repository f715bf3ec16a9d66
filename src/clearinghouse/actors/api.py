"""API router of institutions."""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from clearinghouse.api.errors import (
    ApiError,
    not_found,
    write_errors,
)
from clearinghouse.api.schemas import Detail, Source, source_of
from clearinghouse.core.api_helpers import translations
from clearinghouse.core.models import Country, StakeholderGroup
from clearinghouse.security.auth import write_auth
from clearinghouse.security.permissions import require_can_edit
from clearinghouse.security.services import audit_request

from . import selectors, services
from .models import Institution, InstitutionKind, Scope

router = Router(tags=["institutions"])


class InstitutionBrief(Schema):
    slug: str
    name: str
    acronym: str
    stakeholder_group: str


class MandateBrief(Schema):
    issue: str
    roles: list[str]
    status: str
    since_year: int | None


class InstitutionOut(Schema):
    slug: str
    name: str
    names: dict[str, str]
    acronym: str
    kind: str
    stakeholder_group: str
    headquarters: str | None
    scope: str
    website: str
    description: str
    mandates: list[MandateBrief]
    url: str
    source: Source


class InstitutionIn(Schema):
    slug: str = Field(..., max_length=80, pattern=r"^[-a-z0-9]+$")
    name: str = Field(..., max_length=300)
    acronym: str = Field("", max_length=40)
    kind: InstitutionKind
    stakeholder_group: StakeholderGroup
    headquarters: str | None = Field(None, description="ISO 3166-1 alpha-2 code")
    scope: Scope
    website: str = Field("", max_length=500)
    description: str = Field("", max_length=4000)
    source_quote: str = Field("", max_length=4000)
    source_url: str = Field("", max_length=500)
    source_title: str = Field("", max_length=500)


class InstitutionPatch(Schema):
    name: str | None = Field(None, max_length=300)
    acronym: str | None = Field(None, max_length=40)
    kind: InstitutionKind | None = None
    stakeholder_group: StakeholderGroup | None = None
    headquarters: str | None = None
    scope: Scope | None = None
    website: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=4000)
    source_quote: str | None = Field(None, max_length=4000)
    source_url: str | None = Field(None, max_length=500)
    source_title: str | None = Field(None, max_length=500)


def _institution_out(institution: Institution, request) -> dict:
    return {
        "slug": institution.slug,
        "name": institution.name,
        "names": translations(institution, "name"),
        "acronym": institution.acronym,
        "kind": institution.kind,
        "stakeholder_group": institution.stakeholder_group,
        "headquarters": institution.headquarters.iso2
        if institution.headquarters
        else None,
        "scope": institution.scope,
        "website": institution.website,
        "description": institution.description,
        "mandates": [
            {
                "issue": mandate.issue.slug,
                "roles": [role.code for role in mandate.roles.all()],
                "status": mandate.status,
                "since_year": mandate.since_year,
            }
            for mandate in selectors.institution_mandates(institution)
        ],
        "url": request.build_absolute_uri(institution.get_absolute_url()),
        "source": source_of(institution),
    }


@router.get("/institutions", response={200: list[InstitutionBrief], 400: Detail})
def list_institutions(request, group: str | None = None):
    institutions = Institution.objects.order_by("stakeholder_group", "slug")
    if group:
        if group not in StakeholderGroup.values:
            raise ApiError(
                400,
                [
                    _(
                        "Unknown stakeholder group “%(group)s”. "
                        "Choose one of: %(choices)s."
                    )
                    % {
                        "group": group[:40],
                        "choices": ", ".join(StakeholderGroup.values),
                    }
                ],
            )
        institutions = institutions.filter(stakeholder_group=group)
    return [
        {
            "slug": i.slug,
            "name": i.name,
            "acronym": i.acronym,
            "stakeholder_group": i.stakeholder_group,
        }
        for i in institutions
    ]


@router.get("/institutions/{slug}", response={200: InstitutionOut, 404: Detail})
def get_institution(request, slug: str):
    institution = selectors.institution_detail(slug=slug)
    if institution is None:
        raise not_found(_("institution"), slug)
    return _institution_out(institution, request)


def _resolve(payload: dict) -> dict:
    if payload.get("headquarters"):
        country = Country.objects.filter(iso2=payload["headquarters"].upper()).first()
        if country is None:
            raise ApiError(
                400,
                [
                    _("Unknown country code “%(code)s”.")
                    % {"code": payload["headquarters"][:10]}
                ],
            )
        payload["headquarters"] = country
    return payload


@router.post(
    "/institutions",
    response={201: InstitutionOut, 400: Detail, 401: Detail, 403: Detail},
    auth=write_auth,
)
def create_institution(request, data: InstitutionIn):
    require_can_edit(request)
    payload = _resolve(data.dict())
    with write_errors(_("This institution already exists.")):
        institution = services.institution_create(**payload)
    audit_request(request, action="institution.create", target=institution)
    return Status(201, _institution_out(institution, request))


@router.patch(
    "/institutions/{slug}",
    response={200: InstitutionOut, 400: Detail, 401: Detail, 403: Detail, 404: Detail},
    auth=write_auth,
)
def update_institution(request, slug: str, data: InstitutionPatch):
    institution = Institution.objects.filter(slug=slug).first()
    if institution is None:
        raise not_found(_("institution"), slug)
    require_can_edit(request, institution)
    payload = _resolve(data.dict(exclude_unset=True))
    with write_errors(_("This institution already exists.")):
        services.institution_update(institution=institution, **payload)
    audit_request(request, action="institution.update", target=institution)
    return _institution_out(selectors.institution_detail(slug=slug), request)
