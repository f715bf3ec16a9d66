"""Public pages may be cached; anything personal or with a form may not."""

import pytest


@pytest.mark.django_db
def test_anonymous_public_page_is_public_and_varies(client, settings):
    settings.PUBLIC_PAGE_MAX_AGE = 120
    response = client.get("/en/issues/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=120"
    vary = {value.strip() for value in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


def test_signed_in_reader_gets_no_shared_cache(secretariat_client):
    response = secretariat_client.get("/en/issues/")
    assert "public" not in response.get("Cache-Control", "")
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_page_setting_a_cookie_is_not_public(client):
    response = client.get("/admin/login/")
    assert response.cookies
    assert "public" not in response["Cache-Control"]


@pytest.mark.django_db
def test_errors_and_non_html_are_left_alone(client):
    assert "Cache-Control" not in client.get("/en/issues/no-such-issue/")
    assert "public" not in client.get("/robots.txt").get("Cache-Control", "")


@pytest.mark.django_db
def test_can_be_turned_off(client, settings):
    settings.PUBLIC_PAGE_MAX_AGE = 0
    assert "Cache-Control" not in client.get("/en/issues/")
