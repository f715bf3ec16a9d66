"""The filters' API: questions and rules by version, assessments (CSRF session
auth for verified participants, 422 naming the conflict), consensus figures."""

import json

import pytest
from django.test import Client

from clearinghouse.filters import services
from clearinghouse.filters.models import Assessment
from tests.factories import IssueFactory, MandateFactory

from .conftest import answers

pytestmark = pytest.mark.django_db


def _body(issue, **given) -> str:
    return json.dumps(
        {
            "issue": issue.slug,
            "stakeholder_group": "civil_society",
            "answers": {
                key: {"value": a["value"], "rationale": a["rationale"]}
                for key, a in answers(**given).items()
            },
        }
    )


def test_questions_and_rules_of_each_version(client, version, secretariat):
    services.filter_version_revise(
        by=secretariat, note="n", questions={"cross_border": {"text_en": "Borders?"}}
    )
    current = client.get("/api/v1/filters/questions").json()
    assert current[0]["key"] == "cross_border" and current[0]["text"] == "Borders?"
    first = client.get("/api/v1/filters/questions?version=1").json()
    assert first[0]["text"].startswith("Is the issue inherently cross-border")
    rules = client.get("/api/v1/filters/rules").json()
    assert rules[0]["key"] == "needs-a-home"
    assert rules[0]["conditions"]["existing_bodies"] == ["no"]
    assert client.get("/api/v1/filters/rules?version=7").status_code == 404
    assert client.get("/api/v1/filters/rules?version=abc").status_code == 422
    versions = client.get("/api/v1/filters/versions").json()
    assert [v["number"] for v in versions] == [2, 1]


def test_a_verified_participant_creates_an_assessment(client, version, verified):
    issue = IssueFactory()
    client.force_login(verified)
    response = client.post(
        "/api/v1/filters/assessments",
        _body(issue, cross_border="no"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["outcome"] == "national_regional"
    assert data["reason"].startswith("because 1. Is the issue inherently cross-border")
    assert data["author"] == ""
    listed = client.get(f"/api/v1/filters/assessments?issue={issue.slug}").json()
    assert [a["id"] for a in listed] == [data["id"]]
    assert client.get(f"/api/v1/filters/assessments/{data['id']}").status_code == 200


def test_a_contradictory_assessment_is_a_422_naming_the_conflict(
    client, version, verified
):
    mandate = MandateFactory()
    client.force_login(verified)
    response = client.post(
        "/api/v1/filters/assessments",
        _body(mandate.issue, existing_bodies="no"),
        content_type="application/json",
        headers={"accept-language": "es"},
    )
    assert response.status_code == 422
    detail = " ".join(response.json()["detail"])
    assert detail.startswith("existing_bodies: ")
    assert mandate.institution.short_name in detail
    assert Assessment.objects.count() == 0


def test_a_half_filled_assessment_is_a_422(client, version, verified):
    issue = IssueFactory()
    client.force_login(verified)
    body = json.loads(_body(issue, cross_border="no"))
    del body["answers"]["innovation_risk"]
    body["answers"]["nowhere"] = {"value": "yes", "rationale": "x"}
    response = client.post(
        "/api/v1/filters/assessments", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any("Question 8" in m and "has no answer" in m for m in detail)
    assert any("There is no question “nowhere”" in m for m in detail)


def test_a_bad_answer_value_is_a_422(client, version, verified):
    client.force_login(verified)
    body = json.loads(_body(IssueFactory()))
    body["answers"]["cross_border"]["value"] = "maybe"
    response = client.post(
        "/api/v1/filters/assessments", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422


def test_writes_need_a_verified_session_and_the_csrf_token(
    version, verified, participant
):
    issue = IssueFactory()
    response = Client().post(
        "/api/v1/filters/assessments",
        _body(issue, cross_border="no"),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "verified e-mail address" in response.json()["detail"][0]
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(verified)
    response = csrf_client.post(
        "/api/v1/filters/assessments",
        _body(issue, cross_border="no"),
        content_type="application/json",
    )
    assert response.status_code == 403  # no CSRF token
    unverified = Client()
    unverified.force_login(participant)
    response = unverified.post(
        "/api/v1/filters/assessments",
        _body(issue, cross_border="no"),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "verified e-mail address" in response.json()["detail"][0]
    assert Assessment.objects.count() == 0


def test_unknown_issue_is_a_404(client, version, verified):
    client.force_login(verified)
    body = json.loads(_body(IssueFactory()))
    body["issue"] = "nowhere"
    response = client.post(
        "/api/v1/filters/assessments", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404
    assert client.get("/api/v1/filters/consensus/nowhere").status_code == 404
    assert client.get("/api/v1/filters/assessments?issue=nowhere").status_code == 404


def test_consensus_figures(client, version, verified):
    issue = IssueFactory()
    services.assessment_create(
        issue=issue,
        by=verified,
        stakeholder_group="civil_society",
        answers=answers(cross_border="yes", action_agreed="yes"),
    )
    data = client.get("/api/v1/filters/consensus").json()
    assert data["assessments"] == 1
    assert data["ranked"] == [issue.slug]
    entry = data["issues"][0]
    assert entry["leading_outcome"] == "international_cooperation"
    assert entry["questions"][0]["groups"][0]["group"] == "civil_society"
    one = client.get(f"/api/v1/filters/consensus/{issue.slug}").json()
    assert one["assessments"] == 1
    empty = client.get(f"/api/v1/filters/consensus/{IssueFactory().slug}").json()
    assert empty["assessments"] == 0


def test_openapi_lists_the_filters_collections(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/filters/questions",
        "/api/v1/filters/rules",
        "/api/v1/filters/assessments",
        "/api/v1/filters/consensus",
    ):
        assert path in paths
