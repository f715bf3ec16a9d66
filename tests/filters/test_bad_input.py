"""Hostile and malformed input to the filters' pages and API: 4xx, never a 500."""

import json
from urllib.parse import quote

import pytest

from clearinghouse.filters.models import Assessment
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db

NASTY = [
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "9" * 40,
    "-1",
    "",
    "é" * 300,
]


@pytest.mark.parametrize("value", NASTY)
def test_nasty_query_values_are_never_a_500(client, version, value):
    for url in (
        "/en/filters/questions/?version=",
        "/api/v1/filters/questions?version=",
        "/api/v1/filters/rules?version=",
        "/api/v1/filters/assessments?issue=",
    ):
        response = client.get(url + quote(value))
        assert response.status_code < 500, (url, value)
        if "html" in response["Content-Type"]:
            assert b"<script>alert(1)" not in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/en/filters/issues/%00/",
        "/en/filters/issues/" + "x" * 3000 + "/",
        "/en/filters/assessments/99999999999999999999/",
        "/api/v1/filters/assessments/99999999999999999999",
        "/api/v1/filters/consensus/%00",
        "/en/filters/export/consensus/" + "a" * 300 + "/",
    ],
)
def test_hostile_paths_are_4xx(client, version, path):
    assert 400 <= client.get(path).status_code < 500


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        json.dumps({"issue": "x"}),
        json.dumps({"issue": "x", "answers": {"cross_border": "yes"}}),
        json.dumps({"issue": "x", "answers": [1, 2]}),
        json.dumps({"issue": "\x00", "answers": {}}),
    ],
)
def test_malformed_bodies_are_4xx_and_write_nothing(client, version, verified, body):
    IssueFactory(slug="x")
    client.force_login(verified)
    response = client.post(
        "/api/v1/filters/assessments", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]
    assert Assessment.objects.count() == 0


def test_an_unknown_event_number_is_a_form_error(secretariat_client, version):
    issue = IssueFactory()
    response = secretariat_client.post(
        f"/en/filters/issues/{issue.slug}/assess/",
        {"on_behalf_of": "A meeting", "event": "424242"},
    )
    assert response.status_code == 400
    assert "There is no event number 424242." in response.content.decode()
