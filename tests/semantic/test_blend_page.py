"""The blended library page reads what it lists as plain values and loads only
the documents it shows, so that its cost stays flat as the library grows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearinghouse.core.models import Country
from clearinghouse.library import indexing
from clearinghouse.library.models import DocumentIssue
from clearinghouse.semantic import thesaurus
from clearinghouse.taxonomy.models import Issue, Synonym
from tests.factories import InstitutionFactory, IssueFactory
from tests.library.factories import DocumentFactory


def test_published_facets_are_the_facets_the_index_holds(reference_data):
    issue = IssueFactory(slug="spam")
    law = DocumentFactory(
        doc_type="law",
        language="fr",
        jurisdiction_country=Country.objects.get(iso2="KE"),
    )
    DocumentIssue.objects.create(document=law, issue=issue)
    law.institutions.add(
        InstitutionFactory(slug="itu", stakeholder_group="intergovernmental")
    )
    plain = DocumentFactory(date=None, doc_type="report")
    draft = DocumentFactory(status="draft")
    facets = indexing.published_facets([law.pk, plain.pk, draft.pk])
    assert sorted(facets) == sorted([law.pk, plain.pk])  # the draft is not listed
    for document in (law, plain):
        whole = indexing.indexed_documents().get(pk=document.pk)
        assert facets[document.pk] == indexing.document_facets(whole)
    assert facets[law.pk]["jurisdiction"] == ["KE"]
    assert "002" in facets[law.pk]["region"]  # Africa, through Kenya
    assert facets[plain.pk]["year"] == []


def _queries(client, params) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/documents", params)
    assert response.status_code == 200
    return [query["sql"] for query in queries]


def test_the_blend_reads_as_many_rows_however_many_documents_it_lists(client, embedded):
    def notes(count: int) -> None:
        new = [
            DocumentFactory(title=f"Internet governance note {n}", summary="Internet.")
            for n in range(count)
        ]
        indexing.index_documents([d.pk for d in new])

    # Words match from the start: on PostgreSQL the full-text engine's own
    # queries (ranking, texts) run only when something matches.
    notes(2)
    params = {"q": "internet governance", "per_page": "5"}
    client.get("/api/v1/documents", params)  # encoder, prototypes, labels read once
    few = _queries(client, params)
    notes(30)
    data = client.get("/api/v1/documents", params).json()
    assert data["total"] >= 30 and len(data["hits"]) == 5
    counts = {v["value"]: v["count"] for v in data["facets"]["language"]}
    assert sum(counts.values()) == data["total"]
    now = _queries(client, params)
    assert len(now) == len(few), "\n".join(q[:110] for q in [*few, "----", *now])


def test_the_thesaurus_sees_a_new_synonym_at_once(forum2004):
    spam = Issue.objects.get(slug="spam")
    assert spam.pk not in thesaurus.matching_issue_ids("junk messaging")
    Synonym.objects.create(issue=spam, label="junk messaging", language="en")
    assert spam.pk in thesaurus.matching_issue_ids("junk messaging")
    assert spam.pk in thesaurus.matching_issue_ids("Junk Messaging today")
