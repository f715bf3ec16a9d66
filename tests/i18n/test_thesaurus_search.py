"""A French search for « pourriel » and a Spanish one for « correo no deseado »
find the spam issue and its documents, on the library's search page and in its
API, with the Forum 2004 dataset's synonyms: by words and the thesaurus
expansion alone (the "words" mode), so no sentence encoder is involved.

The documents are in English and never use the searched words: only the
taxonomy's synonyms can lead a French or Spanish reader to them.
"""

import pytest

from clearinghouse.library import indexing
from clearinghouse.library.models import DocumentIssue
from clearinghouse.taxonomy.models import Issue, Synonym
from tests.library.factories import DocumentFactory

pytestmark = pytest.mark.django_db

SEARCHES = [("fr", "pourriel"), ("es", "correo no deseado")]


@pytest.fixture(autouse=True)
def _own_search_index(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"


@pytest.fixture(autouse=True)
def _no_sentence_encoder(settings):
    """Words and thesaurus only: a search that reached for the encoder would fail."""
    settings.SEMANTIC_ENCODER_MODULE = "clearinghouse_no_such_encoder"


@pytest.fixture
def library(forum2004):
    spam = Issue.objects.get(slug="spam")
    privacy = Issue.objects.get(slug="privacy")
    made = {
        "confirmed": DocumentFactory(
            title="Fighting unsolicited bulk e-mail",
            summary="Laws, filters and user education against junk mail.",
        ),
        "suggested": DocumentFactory(
            title="Anti-spam laws in developing countries",
            summary="A survey of legislation on unsolicited commercial messages.",
        ),
        "other": DocumentFactory(
            title="Guidelines on personal data flows",
            summary="Principles for the collection and transfer of personal data.",
        ),
    }
    DocumentIssue.objects.create(document=made["confirmed"], issue=spam, confirmed=True)
    DocumentIssue.objects.create(document=made["suggested"], issue=spam, score=0.8)
    DocumentIssue.objects.create(document=made["other"], issue=privacy, confirmed=True)
    indexing.index_documents([d.pk for d in made.values()])
    return made


def test_the_dataset_carries_the_synonyms_searched_for(forum2004):
    labels = set(
        Synonym.objects.filter(issue__slug="spam").values_list("language", "label")
    )
    assert {("fr", "pourriel"), ("es", "correo no deseado")} <= labels


@pytest.mark.parametrize(("lang", "q"), SEARCHES)
def test_the_api_finds_the_spam_issue_and_its_documents(client, library, lang, q):
    response = client.get(
        "/api/v1/discover",
        {"q": q, "mode": "words"},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 200
    data = response.json()
    assert data["mode"] == "words"
    assert [issue["slug"] for issue in data["also_showing_issues"]] == ["spam"]
    rows = {row["id"]: row for row in data["results"]}
    assert set(rows) == {library["confirmed"].pk, library["suggested"].pk}
    # The curator's confirmed tag first; both found by the thesaurus.
    assert data["results"][0]["id"] == library["confirmed"].pk
    assert all("thesaurus" in row["found_by"] for row in rows.values())


@pytest.mark.parametrize(("lang", "q"), SEARCHES)
def test_the_search_page_finds_the_spam_issue_and_its_documents(
    client, library, lang, q
):
    response = client.get(f"/{lang}/library/discover/", {"q": q, "mode": "words"})
    assert response.status_code == 200
    page = response.content.decode()
    spam = Issue.objects.get(slug="spam")
    assert f'href="/{lang}/issues/spam/"' in page
    name = getattr(spam, f"name_{lang}")
    assert name and name in page
    assert library["confirmed"].title in page
    assert library["suggested"].title in page
    assert library["other"].title not in page


@pytest.mark.parametrize(("lang", "q"), SEARCHES)
def test_the_library_page_names_the_spam_issue(client, library, lang, q):
    response = client.get(f"/{lang}/library/", {"q": q})
    assert response.status_code == 200
    assert f'href="/{lang}/issues/spam/"' in response.content.decode()


def test_a_word_no_label_or_synonym_holds_expands_nothing(client, library):
    data = client.get("/api/v1/discover", {"q": "gastronomie", "mode": "words"}).json()
    assert data["also_showing_issues"] == [] and data["results"] == []
