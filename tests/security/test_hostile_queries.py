"""Hostile query strings on every list page and API collection: never a 500."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import AreaFactory, IssueFactory, MandateFactory

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    "\x00",
    "a\x00b",
    '"',
    "'; DROP TABLE matrix_mandate; --",
    "NEAR(",
    "(((",
    "*",
    "^",
    "title:spam",
    "x" * 10_000,
    "إدارة الإنترنت",
    "\u202eevil",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
]

PAGES = [
    "/en/matrix/",
    "/en/matrix/gaps/",
    "/en/matrix/export/csv/",
    "/en/matrix/export/json/",
    "/en/matrix/gaps/export/csv/",
    "/ar/issues/",
    "/fr/institutions/",
    "/api/v1/matrix",
    "/api/v1/mandates",
    "/api/v1/gaps",
    "/api/v1/issues",
    "/api/v1/institutions",
]
PARAMETERS = ["area", "group", "region", "role", "status", "view", "list", "q"]


@pytest.fixture
def small(reference_data):
    MandateFactory(issue=IssueFactory(area=AreaFactory(slug="infra")))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("value", NASTY)
def test_nasty_values_never_break_a_list(client, small, page, value):
    for parameter in PARAMETERS:
        response = client.get(f"{page}?{parameter}={quote(value)}")
        assert response.status_code < 500, (page, parameter, value[:40])
        if value.startswith("<script>") and "html" in response["Content-Type"]:
            assert b"<script>alert(1)" not in response.content


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    page=st.sampled_from(PAGES),
    pairs=st.lists(
        st.tuples(st.sampled_from(PARAMETERS), st.text(max_size=200)), max_size=6
    ),
)
def test_generated_query_strings_never_break_a_list(client, small, page, pairs):
    query = "&".join(f"{quote(key)}={quote(value)}" for key, value in pairs)
    response = client.get(f"{page}?{query}")
    assert response.status_code < 500, (page, query[:200])


@pytest.mark.parametrize(
    "path",
    [
        "/en/issues/%00/",
        "/en/institutions/" + "x" * 5000 + "/",
        "/en/matrix/cell/%E2%80%AE/x/",
        "/api/v1/issues/%00",
        "/api/v1/mandates/99999999999999999999999",
        "/api/v1/mandates/-1",
        "/en/matrix/export/" + "a" * 300 + "/",
    ],
)
def test_hostile_paths_are_4xx(client, small, path):
    assert 400 <= client.get(path).status_code < 500


@pytest.mark.parametrize(
    "url", ["/en/matrix/?area=%00", "/api/v1/issues?area=a%00b", "/api/v1/issues/%00"]
)
def test_nul_characters_are_refused_with_a_message(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_in_a_json_body_is_refused_before_any_write(secretariat_client, small):
    from clearinghouse.matrix.models import Mandate

    before = Mandate.objects.count()
    response = secretariat_client.post(
        "/api/v1/mandates",
        data='{"institution": "x\\u0000", "issue": "y", "roles": ["policy_norms"]}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Mandate.objects.count() == before
