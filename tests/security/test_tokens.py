"""API tokens: an institution's partners write its records without a session."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clearinghouse.security.models import ApiToken, AuditEntry
from clearinghouse.security.services import api_token_create, api_token_revoke
from tests.factories import InstitutionFactory, MandateFactory
from tests.security.roles import focal_point_create, user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def itu(reference_data):
    return InstitutionFactory(slug="itu")


@pytest.fixture
def icann(reference_data):
    return InstitutionFactory(slug="icann")


def _patch(url, payload, token, **extra):
    """A partner's request: no cookies at all, the token in the header."""
    return Client(enforce_csrf_checks=True).patch(
        url,
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **extra},
    )


def test_token_writes_its_institutions_records_without_csrf(itu, secretariat):
    token, secret = api_token_create(institution=itu, name="CMS", by=secretariat)
    response = _patch(
        "/api/v1/institutions/itu",
        {"website": "https://itu.int"},
        secret,
        **{"User-Agent": "partner-sync/1.0"},
    )
    assert response.status_code == 200, response.content
    itu.refresh_from_db()
    assert itu.website == "https://itu.int"
    token.refresh_from_db()
    assert token.last_used_at is not None
    entry = AuditEntry.objects.get(action="institution.update")
    assert entry.actor == secretariat
    assert entry.actor_label == f"token {token.prefix} (itu)"
    assert entry.user_agent == "partner-sync/1.0"
    assert entry.ip_address == "127.0.0.1"


def test_only_a_digest_and_a_prefix_are_stored(itu, secretariat):
    token, secret = api_token_create(institution=itu, name="CMS", by=secretariat)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in json.dumps(stored, default=str)
    assert secret.startswith(f"igc_{token.prefix}_")
    assert len(secret) > 40


@pytest.mark.parametrize(
    "header",
    [
        "Bearer igc_00000000_wrong",
        "Bearer not-a-token",
        "Bearer ",
        "Bearer igc__",
    ],
)
def test_unknown_tokens_are_401(itu, secretariat, header):
    api_token_create(institution=itu, name="CMS", by=secretariat)
    response = Client().patch(
        "/api/v1/institutions/itu",
        data="{}",
        content_type="application/json",
        headers={"Authorization": header},
    )
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_wrong_secret_with_a_real_prefix_is_401(itu, secretariat):
    token, secret = api_token_create(institution=itu, name="CMS", by=secretariat)
    forged = f"igc_{token.prefix}_{'x' * 43}"
    assert _patch("/api/v1/institutions/itu", {}, forged).status_code == 401


def test_expired_and_revoked_tokens_are_401(itu, secretariat):
    expired, expired_secret = api_token_create(
        institution=itu,
        name="old",
        by=secretariat,
        expires_at=timezone.now() + timedelta(seconds=30),
    )
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _patch("/api/v1/institutions/itu", {}, expired_secret).status_code == 401
    revoked, revoked_secret = api_token_create(
        institution=itu, name="gone", by=secretariat
    )
    assert _patch("/api/v1/institutions/itu", {}, revoked_secret).status_code == 200
    api_token_revoke(token=revoked, by=secretariat)
    assert _patch("/api/v1/institutions/itu", {}, revoked_secret).status_code == 401


def test_a_token_of_one_institution_on_anothers_record_is_403(itu, icann, secretariat):
    _token, secret = api_token_create(institution=itu, name="CMS", by=secretariat)
    assert _patch(
        "/api/v1/institutions/icann", {"acronym": "X"}, secret
    ).status_code == (403)
    mandate = MandateFactory(institution=icann)
    response = _patch(f"/api/v1/mandates/{mandate.pk}", {"since_year": 1999}, secret)
    assert response.status_code == 403
    mandate.refresh_from_db()
    assert mandate.since_year is None


def test_a_secretariats_token_is_still_only_its_institutions(itu, icann, secretariat):
    # Tokens never carry their creator's powers beyond the institution.
    _token, secret = api_token_create(institution=itu, name="CMS", by=secretariat)
    response = _patch("/api/v1/issues/anything", {"name": "X"}, secret)
    assert response.status_code in {401, 403, 404}
    assert _patch("/api/v1/institutions/icann", {}, secret).status_code == 403


def test_session_writes_still_need_the_csrf_token(itu, secretariat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)
    response = client.patch(
        "/api/v1/institutions/itu",
        data=json.dumps({"acronym": "X"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    itu.refresh_from_db()
    assert itu.acronym != "X"


def test_focal_point_creates_lists_and_revokes_its_institutions_tokens(
    client, itu, icann
):
    client.force_login(focal_point_create("itu-fp", itu))
    response = client.post(
        "/api/v1/tokens",
        data=json.dumps({"institution": "itu", "name": "Website sync"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    secret, prefix = body["token"], body["prefix"]
    assert secret.startswith(f"igc_{prefix}_")
    listed = client.get("/api/v1/tokens").json()
    assert [row["prefix"] for row in listed] == [prefix]
    assert "token" not in listed[0]
    assert _patch("/api/v1/institutions/itu", {}, secret).status_code == 200
    refused = client.post(
        "/api/v1/tokens",
        data=json.dumps({"institution": "icann", "name": "Not mine"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/tokens/{prefix}").status_code == 204
    assert _patch("/api/v1/institutions/itu", {}, secret).status_code == 401
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "api_token.create" in actions and "api_token.revoke" in actions


def test_participants_and_tokens_cannot_mint_tokens(client, itu, secretariat):
    client.force_login(user_create("reader", verified=True))
    body = json.dumps({"institution": "itu", "name": "Mine"})
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert response.status_code == 403
    _token, secret = api_token_create(institution=itu, name="CMS", by=secretariat)
    minted = Client().post(
        "/api/v1/tokens",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert minted.status_code == 401
    assert ApiToken.objects.count() == 1


def test_an_expiry_in_the_past_is_refused(client, itu, secretariat):
    client.force_login(secretariat)
    response = client.post(
        "/api/v1/tokens",
        data=json.dumps(
            {"institution": "itu", "name": "x", "expires_at": "2001-01-01T00:00:00Z"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_secretariat_creates_a_token_in_the_admin_and_sees_it_once(
    client, itu, secretariat
):
    client.force_login(secretariat)
    response = client.post(
        "/admin/security/apitoken/add/",
        {
            "name": "Partner",
            "institution": itu.pk,
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"igc_{token.prefix}_" in message for message in shown)
    again = client.get("/admin/security/apitoken/")
    assert f"igc_{token.prefix}_" not in again.content.decode()
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1
