"""Hostile query strings on every list page and API collection: never a 500."""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import AreaFactory, IssueFactory, MandateFactory
from tests.security.roles import walk_patterns

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


def _takes_arguments(pattern) -> bool:
    regex = pattern.pattern.regex
    return bool(regex.groups or getattr(pattern.pattern, "converters", None))


def _discovered_lists(client):
    """Every page without path arguments (outside the admin) with the names of
    the fields of its GET forms, and every API collection with its documented
    query parameters: new lists are walked without being named here."""
    from django.urls import reverse

    found = {}
    for name, pattern in walk_patterns():
        if name.startswith(("admin:", "api:")) or _takes_arguments(pattern):
            continue
        url = reverse(name)
        response = client.get(url)
        fields = set()
        if "html" in response.get("Content-Type", ""):
            fields = set(
                re.findall(
                    r'<(?:input|select)[^>]* name="([^"]+)"', response.content.decode()
                )
            )
        found[url] = sorted(fields - {"csrfmiddlewaretoken"} | {"q"})
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path:
            continue
        found[path] = sorted(
            parameter["name"]
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query"
        ) or ["q"]
    return found


@pytest.fixture
def lists(client, small):
    return _discovered_lists(client)


def test_the_walk_finds_every_list(lists):
    # The lists of every app built so far, and their filters.
    for url in ("/en/events/", "/en/roadmap/", "/en/proposals/", "/api/v1/events"):
        assert url in lists
    assert "issue" in lists["/en/events/"]
    assert "limit" in lists["/api/v1/events"]
    assert len(lists) >= 25


@pytest.mark.parametrize("value", NASTY)
def test_nasty_values_in_every_filter_of_every_list_are_never_a_500(
    client, lists, value
):
    for url, parameters in lists.items():
        query = "&".join(f"{quote(name)}={quote(value)}" for name in parameters)
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, (url, value[:40])


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_generated_filters_on_discovered_lists_are_never_a_500(client, lists, data):
    url = data.draw(st.sampled_from(sorted(lists)))
    pairs = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(lists[url]),
                st.one_of(st.sampled_from(NASTY), st.text(max_size=300)),
            ),
            max_size=6,
        )
    )
    query = "&".join(f"{quote(key)}={quote(value)}" for key, value in pairs)
    response = client.get(f"{url}?{query}")
    assert response.status_code < 500, (url, query[:200])


LANGUAGES = ("ar", "es", "fr", "ru", "zh-hans")
_ERRORS = re.compile(r'<div class="errors"[^>]*>.*?<ul[^>]*>(.*?)</ul>', re.S)
_FIELD_ERRORS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
_FIELD_ERROR = re.compile(
    r'<(?:span|p) class="error[^"]*"[^>]*>(.*?)</(?:span|p)>', re.S
)


def _messages(response) -> list[str]:
    """The page's error messages: its list of errors and its fields' errors."""
    body = response.content.decode()
    lists = _ERRORS.findall(body) + _FIELD_ERRORS.findall(body)
    listed = [item for found in lists for item in re.findall(r"<li>(.*?)</li>", found)]
    return listed + _FIELD_ERROR.findall(body)


@pytest.mark.parametrize("value", ["\x00", "abc", "-1", "9" * 30, "'; --"])
def test_a_refused_filter_says_why_in_the_pages_language(client, lists, value):
    refused = 0
    for url, parameters in lists.items():
        if not url.startswith("/en/"):
            continue
        for name in parameters:
            query = f"{quote(name)}={quote(value)}"
            english = client.get(f"{url}?{query}")
            if english.status_code != 400 or "html" not in english["Content-Type"]:
                continue
            refused += 1
            for language in LANGUAGES:
                response = client.get(f"/{language}/{url[4:]}?{query}")
                assert response.status_code == 400, (language, url, name)
                assert f'lang="{language}"' in response.content.decode()
                messages = _messages(response)
                assert messages, (language, url, name)
                # Said in the page's language, not left in English.
                assert messages != _messages(english), (language, url, name, messages)
    assert refused  # some filter refuses the value with a message


def _post_forms(client):
    """Every page without path arguments (outside the admin and the API) that
    shows a form sent by POST to itself."""
    from django.urls import reverse

    forms = []
    for name, pattern in walk_patterns():
        if name.startswith(("admin:", "api:")) or _takes_arguments(pattern):
            continue
        url = reverse(name)
        if not url.startswith("/en/"):
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        body = response.content.decode()
        for form in re.findall(r'<form[^>]*method="post"[^>]*>', body):
            action = re.search(r'action="([^"]*)"', form)
            if action is None or action.group(1) in ("", url):
                forms.append(url)
                break
    return forms


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_form_sent_empty_says_what_is_missing_in_the_pages_language(
    client, small, secretariat, signed_in
):
    if signed_in:
        client.force_login(secretariat)
    forms = _post_forms(client)
    assert forms
    checked = 0
    for url in forms:
        english = client.post(url, {})
        if english.status_code >= 500:
            raise AssertionError(url)
        if not _messages(english):
            continue  # an empty form that is not refused (a sign-out, a search)
        checked += 1
        for language in LANGUAGES:
            response = client.post(f"/{language}/{url[4:]}", {})
            assert response.status_code < 500, (language, url)
            messages = _messages(response)
            assert messages, (language, url)
            assert messages != _messages(english), (language, url, messages)
    assert checked, forms
