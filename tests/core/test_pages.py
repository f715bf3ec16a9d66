"""Front page, robots.txt, error pages and language selection."""

import pytest

pytestmark = pytest.mark.django_db


def test_front_page_counts_what_the_dataset_holds(client, forum2004):
    from clearinghouse.matrix.selectors import gap_counts

    response = client.get("/en/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["issues"] == 49 and counts["institutions"] == 28
    assert counts["homeless"] == gap_counts()["homeless"] > 0


def test_root_picks_the_language_from_the_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Location"] == "/zh-hans/"


def test_language_switcher_keeps_the_page_and_its_filters(client, forum2004):
    html = client.get("/en/matrix/?area=infrastructure").content.decode()
    assert 'href="/fr/matrix/?area=infrastructure"' in html
    assert 'href="/ar/matrix/?area=infrastructure"' in html


def test_unknown_page_is_a_404_in_the_visitors_language(client):
    response = client.get("/fr/nowhere/")
    assert response.status_code == 404
    assert 'lang="fr"' in response.content.decode()


def test_unknown_issue_and_institution_are_404(client):
    assert client.get("/en/issues/no-such-issue/").status_code == 404
    assert client.get("/en/institutions/no-such-body/").status_code == 404


def test_robots_keeps_crawlers_out_of_admin_and_exports(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Disallow: /*/matrix/export/" in body
