"""The search page, the documents API, saved-search feeds and the index's upkeep."""

import xml.etree.ElementTree as ET  # noqa: S405 - our own feed, parsed in a test
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import translation

from clearinghouse.core.models import Country, Region
from clearinghouse.library.indexing import document_facets, index_doc
from clearinghouse.library.models import Document, SavedSearch
from clearinghouse.library.services import (
    document_upsert_harvested,
    document_withdraw_provenance,
)
from tests.factories import AreaFactory, InstitutionFactory, IssueFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _index(settings, tmp_path):
    """A fresh embedded index per test."""
    settings.SEARCH_INDEX_DIR = str(tmp_path / "search")


def harvest(ident, *, capture, **fields):
    """Harvest a record and run the index update its commit schedules."""
    with capture(execute=True):
        return document_upsert_harvested(
            source_key="federation:1",
            source_label="Partner",
            source_url="https://partner.example.org/oai",
            original_identifier=ident,
            datestamp=None,
            fields=fields,
        ).document


@pytest.fixture
def library(django_capture_on_commit_callbacks, reference_data):
    area = AreaFactory(slug="security", name="Security")
    spam = IssueFactory(slug="spam", name="Spam", area=area)
    itu = InstitutionFactory(
        slug="itu", name="ITU", stakeholder_group="intergovernmental"
    )
    kenya = Country.objects.get(iso2="KE")
    docs = {
        "law": harvest(
            "1",
            capture=django_capture_on_commit_callbacks,
            title="Kenya law on unsolicited electronic messages",
            summary="A law against spam in Kenya.",
            doc_type="law",
            language="en",
            date="2004-06-01",
            issue_ids=[spam.pk],
            institution_ids=[itu.pk],
        ),
        "study": harvest(
            "2",
            capture=django_capture_on_commit_callbacks,
            title="Étude sur le pourriel et les réseaux",
            summary="Une étude des réseaux africains.",
            doc_type="research",
            language="fr",
            date="2003",
        ),
        "report": harvest(
            "3",
            capture=django_capture_on_commit_callbacks,
            title="Report on domain names and spam",
            doc_type="report",
            language="en",
            date="2005-01-01",
        ),
    }
    law = docs["law"]
    law.jurisdiction_country = kenya
    law.save()
    from clearinghouse.library.indexing import index_documents

    index_documents([law.pk])
    return docs


def test_index_doc_carries_every_facet_as_slugs_and_codes(library):
    law = library["law"]
    facets = document_facets(law)
    kenya = Country.objects.get(iso2="KE")
    assert facets["issue"] == ["spam"]
    assert facets["area"] == ["security"]
    assert facets["type"] == ["law"]
    assert facets["language"] == ["en"]
    assert facets["year"] == ["2004"]
    assert facets["institution"] == ["itu"]
    assert facets["stakeholder_group"] == ["intergovernmental"]
    assert facets["jurisdiction"] == ["KE"]
    assert set(facets["region"]) == {
        r
        for r in (kenya.region_id, kenya.subregion_id, kenya.intermediate_region_id)
        if r
    }
    doc = index_doc(law)
    assert doc.id == law.pk and doc.date == date(2004, 6, 1)


def test_the_page_finds_ranks_and_counts_facets(client, library):
    response = client.get("/en/library/?q=spam")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kenya law" in page and "Report on domain names" in page
    assert "<mark>" in page
    assert "Law or regulation" in page  # a facet label, not its code


def test_a_facet_filter_and_the_language_filter_narrow_the_results(client, library):
    page = client.get("/en/library/?q=spam&type=law").content.decode()
    assert "Kenya law" in page and "Report on domain names" not in page
    page = client.get("/en/library/?language=fr").content.decode()
    assert "pourriel" in page and "Kenya law" not in page


def test_an_invalid_filter_is_a_400_that_says_why(client, library):
    response = client.get("/en/library/?type=nonsense&page=0")
    assert response.status_code == 400
    assert "nonsense" in response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced',
        "NEAR(a b",
        "*",
        "^",
        "title:spam",
        "a\x00b",
        "x" * 900,
        "(()))",
        "-",
        "OR",
        "سلام \u202e",
        "AND OR NOT",
    ],
)
def test_hostile_queries_never_fail(client, library, q):
    for url in ("/en/library/", "/api/v1/documents"):
        response = client.get(url, {"q": q})
        assert response.status_code in (200, 400), (url, q)


def test_the_api_answers_with_hits_and_facet_counts(client, library):
    data = client.get("/api/v1/documents", {"q": "spam", "type": "law"}).json()
    assert data["total"] == 1
    assert data["hits"][0]["id"] == library["law"].pk
    types = {f["value"]: f for f in data["facets"]["type"]}
    assert types["law"]["count"] == 1 and types["law"]["selected"]
    assert data["facets_exact"] is True
    detail = client.get(f"/api/v1/documents/{library['law'].pk}").json()
    assert detail["provenance"][0]["source_key"] == "federation:1"
    assert detail["issues"] == [{"slug": "spam", "name": "Spam", "confirmed": False}]


def test_a_broad_search_says_its_facet_counts_are_estimates(client, library, settings):
    from clearinghouse.library.indexing import reindex_all
    from clearinghouse.library.search import get_backend

    # Estimated counts are the embedded engine's (PostgreSQL counts every match).
    settings.SEARCH_BACKEND = "tantivy"
    reindex_all()
    settings.SEARCH_EXACT_FACETS_UP_TO = 1  # two matches are "broad" here
    backend = get_backend()
    backend.exact_facets, backend.facet_sample = 1, 1
    data = client.get("/api/v1/documents", {"q": "spam", "mode": "words"}).json()
    assert data["total"] == 2
    assert data["facets_exact"] is False
    assert {f["value"] for f in data["facets"].get("type", [])} <= {"law", "report"}
    page = client.get("/en/library/?q=spam&mode=words").content.decode()
    assert "the counts are estimates" in page
    backend.exact_facets = 2
    page = client.get("/en/library/?q=spam&mode=words").content.decode()
    assert "the counts are estimates" not in page and "(≈ " not in page


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
def test_api_hits_link_to_the_documents_pages_in_the_requests_language(
    client, library, language
):
    data = client.get(
        "/api/v1/documents", {"mode": "words"}, HTTP_ACCEPT_LANGUAGE=language
    ).json()
    assert len(data["hits"]) == 3
    for hit in data["hits"]:
        assert hit["url"] == f"http://testserver/{language}/library/{hit['id']}/"
        with translation.override(language):
            document = Document.objects.get(pk=hit["id"])
            assert hit["url"].endswith(document.get_absolute_url())


def test_facet_labels_of_closed_lists_follow_the_requests_language(client, library):
    def labels(language):
        data = client.get(
            "/api/v1/documents",
            {"q": "spam", "mode": "words"},
            HTTP_ACCEPT_LANGUAGE=language,
        ).json()
        return {
            facet: {v["value"]: v["label"] for v in data["facets"][facet]}
            for facet in ("type", "stakeholder_group")
        }

    # Asked in turn, so that a label kept for one language cannot leak.
    for _round in range(2):
        english, french = labels("en"), labels("fr")
        assert english["type"]["law"] == "Law or regulation"
        assert french["type"]["law"] == "Loi ou règlement"
        group = "intergovernmental"
        assert english["stakeholder_group"][group] == "Intergovernmental organizations"
        assert french["stakeholder_group"][group] == (
            "Organisations intergouvernementales"
        )


def test_the_api_refuses_bad_parameters_with_messages(client, library):
    response = client.get("/api/v1/documents", {"sort": "sideways"})
    assert response.status_code == 400
    assert response.json()["detail"]
    assert client.get("/api/v1/documents/999999").status_code == 404


def test_sort_by_date_and_pagination(client, library):
    data = client.get("/api/v1/documents", {"sort": "date", "per_page": 2}).json()
    assert data["total"] == 3 and data["pages"] == 2
    assert [hit["title"][:6] for hit in data["hits"]] == ["Report", "Kenya "]
    second = client.get(
        "/api/v1/documents", {"sort": "date", "per_page": 2, "page": 2}
    ).json()
    assert second["hits"][0]["title"].startswith("Étude")


def test_a_withdrawn_document_leaves_the_index(
    client, library, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw_provenance(source_key="federation:1", original_identifier="1")
    data = client.get("/api/v1/documents", {"q": "Kenya"}).json()
    assert data["total"] == 0


def test_reindex_rebuilds_the_index(client, library, capsys):
    from clearinghouse.library.search import get_backend

    get_backend().clear()
    assert client.get("/api/v1/documents").json()["total"] == 0
    call_command("reindex", batch_size=2)
    assert "Indexed 3 documents" in capsys.readouterr().out
    assert client.get("/api/v1/documents").json()["total"] == 3


def test_reindex_dry_run_changes_nothing(client, library, capsys):
    from clearinghouse.library.search import get_backend

    get_backend().clear()
    call_command("reindex", dry_run=True)
    assert "3 published documents" in capsys.readouterr().out
    assert client.get("/api/v1/documents").json()["total"] == 0


def test_issues_and_institutions_are_found_by_name_beside_documents(client, library):
    page = client.get("/en/library/?q=spam").content.decode()
    assert 'href="/en/issues/spam/"' in page
    page = client.get("/en/library/?q=ITU").content.decode()
    assert 'href="/en/institutions/itu/"' in page


def test_a_saved_search_has_an_atom_feed_of_its_newest_documents(
    client, participant, library
):
    client.force_login(participant)
    response = client.post(
        "/en/library/saved/", {"name": "Spam laws", "query": "q=spam&type=law"}
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get()
    listing = client.get("/en/library/saved/").content.decode()
    assert search.get_feed_url() in listing
    client.logout()
    response = client.get(search.get_feed_url())
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [library["law"].title]
    assert entries[0].find(f"{ATOM}updated") is not None
    assert entries[0].find(f"{ATOM}id").text.endswith(f"/library/{library['law'].pk}/")
    assert client.get("/feeds/library/not-a-token.atom").status_code == 404


def test_a_saved_search_with_a_bad_query_is_refused(client, participant):
    client.force_login(participant)
    response = client.post("/en/library/saved/", {"name": "x", "query": "sort=up"})
    assert response.status_code == 400
    assert not SavedSearch.objects.exists()


def test_region_jurisdiction_resolves_to_its_name(client, library):
    region = Region.objects.get(code="002")
    law = library["law"]
    page = client.get(f"/en/library/?jurisdiction=KE&region={region.code}").content
    assert law.title in page.decode()
    assert "Kenya" in page.decode()
