"""Curated text shown in its original language is marked as such, and the admin
shows which translations are missing."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from django.utils import translation

from clearinghouse.core.admin import MissingTranslationFilter, missing_languages
from clearinghouse.core.languages import marked_html, shown_value
from clearinghouse.taxonomy.models import Issue
from tests.factories import InstitutionFactory, IssueFactory


@pytest.fixture
def half_translated(db):
    """An issue named in English and French only, defined in English only."""
    return IssueFactory(
        slug="spam-test",
        name_en="Spam <unsolicited>",
        name_fr="Pourriel",
        definition_en="Unsolicited bulk e-mail.",
    )


def test_text_in_the_pages_language_is_not_marked(half_translated):
    with translation.override("fr"):
        assert shown_value(half_translated, "name").fallback is False
        assert marked_html(half_translated, "name") == "Pourriel"


def test_fallback_is_marked_with_its_language_in_the_pages_language(half_translated):
    with translation.override("ru"):
        html = marked_html(half_translated, "name")
        assert html.startswith(
            '<span lang="en" dir="ltr">Spam &lt;unsolicited&gt;</span>'
        )
        assert '<small class="fallback">(на английском языке)</small>' in html
    with translation.override("ar"):
        html = marked_html(half_translated, "definition")
        assert '<span lang="en" dir="ltr">Unsolicited bulk e-mail.</span>' in html
        assert "(بالإنكليزية)" in html


def test_empty_everywhere_is_empty_and_unmarked(half_translated):
    with translation.override("es"):
        shown = shown_value(InstitutionFactory(description=""), "description")
    assert (shown.text, shown.fallback) == ("", False)


@pytest.mark.django_db
def test_a_page_marks_the_fallback(client, half_translated):
    html = client.get("/zh-hans/issues/spam-test/").content.decode()
    assert '<h1><span lang="en" dir="ltr">Spam &lt;unsolicited&gt;</span>' in html
    assert "（英文）" in html
    html = client.get("/fr/issues/spam-test/").content.decode()
    assert "<h1>Pourriel</h1>" in html


def test_admin_lists_missing_translations(half_translated):
    assert missing_languages(half_translated) == ["ar", "zh-hans", "fr", "ru", "es"]
    request = RequestFactory().get("/", {"missing_translation": "fr"})
    complete = IssueFactory(
        **{
            f"name_{code}": f"N {code}"
            for code in ("en", "fr", "ar", "zh_hans", "ru", "es")
        }
    )
    admin = admin_site._registry[Issue]
    found = MissingTranslationFilter(
        request, {"missing_translation": ["fr"]}, Issue, admin
    ).queryset(request, Issue.objects.all())
    assert half_translated in found  # its definition has no French
    assert complete not in found
    assert missing_languages(complete) == []


def test_admin_changelist_has_the_column_and_the_filter(
    secretariat_client, half_translated
):
    response = secretariat_client.get(
        "/admin/taxonomy/issue/", {"missing_translation": "ar"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "missing_translations" in html  # the column
    assert "ar, zh-hans, fr, ru, es" in html
    assert "?missing_translation=ru" in html  # the filter's choices
    response = secretariat_client.get(
        "/admin/taxonomy/issue/", {"missing_translation": "xx"}
    )
    assert response.status_code == 200
