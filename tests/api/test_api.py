"""The JSON API: public reads, secretariat-only writes, clear errors."""

import json

import pytest

from clearinghouse.matrix.models import Mandate
from tests.factories import (
    AreaFactory,
    InstitutionFactory,
    IssueFactory,
    MandateFactory,
)

pytestmark = pytest.mark.django_db


def _post(client, url, payload, method="post"):
    return getattr(client, method)(
        url, data=json.dumps(payload), content_type="application/json"
    )


@pytest.fixture
def cell(reference_data):
    return {
        "issue": IssueFactory(slug="spam", area=AreaFactory(slug="security")),
        "institution": InstitutionFactory(slug="itu"),
    }


def test_openapi_document_lists_every_collection(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/issues",
        "/api/v1/areas",
        "/api/v1/institutions",
        "/api/v1/mandates",
        "/api/v1/matrix",
        "/api/v1/gaps",
    ]:
        assert path in paths


def test_reads_are_public(client, cell):
    MandateFactory(issue=cell["issue"], institution=cell["institution"])
    issue = client.get("/api/v1/issues/spam").json()
    assert issue["mandates"][0]["institution"] == "itu"
    assert issue["url"].endswith("/en/issues/spam/")
    institution = client.get("/api/v1/institutions/itu").json()
    assert institution["mandates"][0]["issue"] == "spam"
    assert [a["slug"] for a in client.get("/api/v1/areas").json()] == ["security"]
    assert client.get("/api/v1/issues?area=security").json()[0]["slug"] == "spam"


def test_unknown_records_are_404_with_detail(client, db):
    for url in [
        "/api/v1/issues/nope",
        "/api/v1/institutions/nope",
        "/api/v1/areas/nope",
        "/api/v1/mandates/999999",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["detail"]


def test_unknown_list_filters_are_400(client, db):
    assert client.get("/api/v1/issues?area=nope").status_code == 400
    assert client.get("/api/v1/institutions?group=aliens").status_code == 400


def test_anonymous_writes_are_refused(client, cell):
    response = _post(
        client,
        "/api/v1/mandates",
        {
            "institution": "itu",
            "issue": "spam",
            "roles": ["policy_norms"],
            "source_quote": "x",
        },
    )
    assert response.status_code == 401
    assert not Mandate.objects.exists()


def test_non_secretariat_writes_are_forbidden(client, cell, participant):
    client.force_login(participant)
    response = _post(
        client,
        "/api/v1/mandates",
        {
            "institution": "itu",
            "issue": "spam",
            "roles": ["policy_norms"],
            "source_quote": "x",
        },
    )
    assert response.status_code == 403
    assert not Mandate.objects.exists()


def test_secretariat_creates_updates_and_deletes_a_mandate(secretariat_client, cell):
    response = _post(
        secretariat_client,
        "/api/v1/mandates",
        {
            "institution": "itu",
            "issue": "spam",
            "roles": ["policy_norms"],
            "since_year": 2003,
            "source_url": "https://www.itu.int/",
            "source_title": "ITU",
        },
    )
    assert response.status_code == 201, response.content
    mandate_id = response.json()["id"]
    response = _post(
        secretariat_client,
        f"/api/v1/mandates/{mandate_id}",
        {"roles": ["standard_setting", "policy_norms"]},
        method="patch",
    )
    assert response.status_code == 200
    assert sorted(response.json()["roles"]) == ["policy_norms", "standard_setting"]
    matrix = secretariat_client.get("/api/v1/matrix").json()
    assert matrix["rows"][0]["roles"] == ["standard_setting", "policy_norms"]
    assert (
        secretariat_client.delete(f"/api/v1/mandates/{mandate_id}").status_code == 204
    )
    assert not Mandate.objects.exists()


def test_mandate_naming_a_missing_issue_is_a_400_and_writes_nothing(
    secretariat_client, cell
):
    response = _post(
        secretariat_client,
        "/api/v1/mandates",
        {
            "institution": "itu",
            "issue": "no-such-issue",
            "roles": ["policy_norms"],
            "source_quote": "x",
        },
    )
    assert response.status_code == 400
    assert "Unknown issue “no-such-issue”." in response.json()["detail"]
    assert not Mandate.objects.exists()


def test_mandate_errors_are_explained_in_the_clients_language(secretariat_client, cell):
    response = secretariat_client.post(
        "/api/v1/mandates",
        data=json.dumps(
            {
                "institution": "itu",
                "issue": "nope",
                "roles": ["policy_norms"],
                "source_quote": "x",
            }
        ),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert any("nope" in message for message in response.json()["detail"])


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"roles": []}, 422),
        ({"roles": ["king"]}, 422),
        ({"since_year": 99999}, 422),
        ({"source_title": "x" * 501}, 422),
        ({"source_quote": "", "source_url": ""}, 400),
        ({"source_url": "not a url"}, 400),
    ],
)
def test_invalid_mandates_are_refused_with_a_message(
    secretariat_client, cell, payload, status
):
    body = {
        "institution": "itu",
        "issue": "spam",
        "roles": ["policy_norms"],
        "source_quote": "x",
        **payload,
    }
    response = _post(secretariat_client, "/api/v1/mandates", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not Mandate.objects.exists()


def test_a_second_mandate_on_the_same_cell_is_a_400(secretariat_client, cell):
    MandateFactory(issue=cell["issue"], institution=cell["institution"])
    response = _post(
        secretariat_client,
        "/api/v1/mandates",
        {
            "institution": "itu",
            "issue": "spam",
            "roles": ["policy_norms"],
            "source_quote": "x",
        },
    )
    assert response.status_code == 400
    assert Mandate.objects.count() == 1


def test_secretariat_creates_and_renames_an_issue(secretariat_client, cell):
    response = _post(
        secretariat_client,
        "/api/v1/issues",
        {
            "slug": "phishing",
            "area": "security",
            "name": "Phishing",
            "broader": "spam",
            "source_url": "https://example.org/phishing",
            "source_title": "Example",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["broader"] == "spam"
    response = _post(
        secretariat_client,
        "/api/v1/issues/phishing",
        {"name": "Phishing and fraud"},
        method="patch",
    )
    assert response.json()["name"] == "Phishing and fraud"
    response = _post(
        secretariat_client,
        "/api/v1/issues",
        {"slug": "x", "area": "nowhere", "name": "X", "source_quote": "q"},
    )
    assert response.status_code == 400
    response = _post(
        secretariat_client,
        "/api/v1/issues",
        {"slug": "Not A Slug", "area": "security", "name": "X"},
    )
    assert response.status_code == 422


def test_secretariat_creates_an_institution_with_a_country(secretariat_client, db):
    response = _post(
        secretariat_client,
        "/api/v1/institutions",
        {
            "slug": "afrinic",
            "name": "AFRINIC",
            "kind": "technical_community",
            "stakeholder_group": "technical_community",
            "headquarters": "mu",
            "scope": "regional",
            "source_url": "https://afrinic.net/",
            "source_title": "AFRINIC",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["headquarters"] == "MU"
    response = _post(
        secretariat_client,
        "/api/v1/institutions",
        {
            "slug": "x",
            "name": "X",
            "kind": "private",
            "stakeholder_group": "private_sector",
            "headquarters": "ZZ",
            "scope": "global",
            "source_quote": "q",
        },
    )
    assert response.status_code == 400
    assert "ZZ" in response.json()["detail"][0]
