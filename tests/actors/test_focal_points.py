"""Focal points: a user approved to edit the records of one institution, and
no other's."""

import json

import pytest

from clearinghouse.actors.models import FocalPoint, FocalPointStatus
from clearinghouse.actors.services import (
    focal_point_approve,
    focal_point_request,
    focal_point_revoke,
)
from clearinghouse.core.accounts import is_focal_point_of
from clearinghouse.security.models import AuditEntry
from clearinghouse.security.services import api_token_create
from tests.events.factories import EventFactory
from tests.factories import InstitutionFactory, IssueFactory, MandateFactory
from tests.security.roles import focal_point_create, user_create

pytestmark = pytest.mark.django_db


def _send(client, method, url, payload=None):
    return getattr(client, method)(
        url, data=json.dumps(payload or {}), content_type="application/json"
    )


@pytest.fixture
def world(reference_data):
    itu = InstitutionFactory(slug="itu", acronym="ITU")
    icann = InstitutionFactory(slug="icann", acronym="ICANN")
    return {
        "itu": itu,
        "icann": icann,
        "itu_mandate": MandateFactory(institution=itu),
        "icann_mandate": MandateFactory(institution=icann),
        "itu_event": EventFactory(organizers=[itu]),
        "icann_event": EventFactory(organizers=[icann]),
        "itu_focal_point": focal_point_create("itu-fp", itu),
    }


@pytest.fixture
def itu_client(client, world):
    client.force_login(world["itu_focal_point"])
    return client


def test_focal_point_of_itu_edits_itus_record_and_mandates(itu_client, world):
    response = _send(
        itu_client, "patch", "/api/v1/institutions/itu", {"website": "https://itu.int"}
    )
    assert response.status_code == 200, response.content
    world["itu"].refresh_from_db()
    assert world["itu"].website == "https://itu.int"
    mandate = world["itu_mandate"]
    response = _send(
        itu_client, "patch", f"/api/v1/mandates/{mandate.pk}", {"since_year": 1990}
    )
    assert response.status_code == 200, response.content
    mandate.refresh_from_db()
    assert mandate.since_year == 1990


def test_focal_point_of_itu_cannot_edit_icanns_mandates(itu_client, world):
    mandate = world["icann_mandate"]
    response = _send(
        itu_client, "patch", f"/api/v1/mandates/{mandate.pk}", {"since_year": 1990}
    )
    assert response.status_code == 403
    assert "focal point" in response.json()["detail"][0]
    mandate.refresh_from_db()
    assert mandate.since_year is None
    assert _send(
        itu_client, "delete", f"/api/v1/mandates/{mandate.pk}"
    ).status_code == (403)
    assert (
        _send(
            itu_client,
            "patch",
            "/api/v1/institutions/icann",
            {"website": "https://x.org"},
        ).status_code
        == 403
    )


def test_focal_point_creates_mandates_for_its_institution_only(itu_client, world):
    issue = IssueFactory()
    body = {
        "issue": issue.slug,
        "roles": ["standard_setting"],
        "source_quote": "A quoted sentence.",
    }
    refused = _send(
        itu_client, "post", "/api/v1/mandates", {**body, "institution": "icann"}
    )
    assert refused.status_code == 403
    created = _send(
        itu_client, "post", "/api/v1/mandates", {**body, "institution": "itu"}
    )
    assert created.status_code == 201, created.content


def test_focal_point_edits_the_events_its_institution_organizes(itu_client, world):
    own, other = world["itu_event"], world["icann_event"]
    assert (
        _send(
            itu_client, "patch", f"/api/v1/events/{own.pk}", {"date_note": "Morning"}
        ).status_code
        == 200
    )
    assert (
        _send(
            itu_client, "patch", f"/api/v1/events/{other.pk}", {"date_note": "Morning"}
        ).status_code
        == 403
    )
    # Nor may it hand its own event over to another institution.
    handed = _send(
        itu_client, "patch", f"/api/v1/events/{own.pk}", {"organizers": ["icann"]}
    )
    assert handed.status_code == 403
    assert list(own.organizers.values_list("slug", flat=True)) == ["itu"]


def test_focal_point_cannot_create_institutions_or_edit_the_road_map(
    itu_client, world, forum2004
):
    body = {
        "slug": "new-body",
        "name": "New body",
        "kind": "intergovernmental",
        "stakeholder_group": "intergovernmental",
        "scope": "global",
        "source_url": "https://example.org/",
    }
    assert _send(itu_client, "post", "/api/v1/institutions", body).status_code == 403
    from clearinghouse.roadmap.models import Milestone

    milestone = Milestone.objects.first()
    assert (
        _send(
            itu_client, "patch", f"/api/v1/milestones/{milestone.slug}", {"title": "X"}
        ).status_code
        == 403
    )


def test_requested_and_revoked_focal_points_edit_nothing(client, world, secretariat):
    user = user_create("applicant", verified=True)
    client.force_login(user)
    response = _send(
        client,
        "post",
        "/api/v1/focal-points",
        {"institution": "itu", "statement": "Hi"},
    )
    assert response.status_code == 201
    assert response.json() == {"institution": "itu", "status": "requested"}
    assert not is_focal_point_of(user, world["itu"])
    url = "/api/v1/institutions/itu"
    assert _send(client, "patch", url, {"acronym": "X"}).status_code == 403

    focal_point = FocalPoint.objects.get(user=user)
    focal_point_approve(focal_point=focal_point, by=secretariat)
    assert is_focal_point_of(user, world["itu"])
    assert _send(client, "patch", url, {"acronym": "X"}).status_code == 200
    _token, secret = api_token_create(institution=world["itu"], name="CMS", by=user)

    focal_point_revoke(focal_point=focal_point, by=secretariat)
    assert not is_focal_point_of(user, world["itu"])
    assert _send(client, "patch", url, {"acronym": "Y"}).status_code == 403
    # The tokens it created die with its role.
    bearer = client.patch(
        url,
        data=json.dumps({"acronym": "Y"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert bearer.status_code == 401
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"focal_point.approve", "focal_point.revoke", "api_token.revoke"} <= actions


def test_asking_again_after_revocation_reopens_the_request(world, secretariat):
    user = world["itu_focal_point"]
    focal_point = FocalPoint.objects.get(user=user)
    focal_point_revoke(focal_point=focal_point, by=secretariat)
    again = focal_point_request(user=user, institution=world["itu"], statement="Back")
    assert again.pk == focal_point.pk
    assert again.status == FocalPointStatus.REQUESTED
    assert not is_focal_point_of(user, world["itu"])


def test_unverified_users_cannot_ask_to_be_focal_points(client, world):
    client.force_login(user_create("unverified"))
    response = _send(client, "post", "/api/v1/focal-points", {"institution": "itu"})
    assert response.status_code == 403
    assert not FocalPoint.objects.filter(user__username="unverified").exists()


def test_inactive_focal_point_edits_nothing(world):
    user = world["itu_focal_point"]
    user.is_active = False
    user.save()
    assert not is_focal_point_of(user, world["itu"])


def test_the_admin_is_for_the_secretariat_only(itu_client, world):
    response = itu_client.get("/admin/actors/institution/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = itu_client.post(f"/admin/actors/institution/{world['itu'].pk}/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_secretariat_approves_focal_points_from_the_admin(client, world, secretariat):
    user = user_create("applicant", verified=True)
    focal_point = focal_point_request(user=user, institution=world["icann"])
    client.force_login(secretariat)
    response = client.post(
        "/admin/actors/focalpoint/",
        {"action": "approve", "_selected_action": [focal_point.pk]},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302
    focal_point.refresh_from_db()
    assert focal_point.status == FocalPointStatus.APPROVED
    assert focal_point.decided_by == secretariat
    entry = AuditEntry.objects.get(action="focal_point.approve")
    assert entry.actor == secretariat
    assert entry.ip_address == "192.0.2.7"
