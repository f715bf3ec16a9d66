"""Index entries read as plain values are those built from the documents."""

import pytest

from clearinghouse.library import indexing
from clearinghouse.library.models import DocumentIssue
from tests.factories import InstitutionFactory, IssueFactory
from tests.library.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("picked", [(1, 2, 3, 4), (0, 2, 4, 5), (3,), (1, 5)])
def test_entries_of_a_run_of_ids_or_of_ids_with_gaps_are_the_documents_own(picked):
    issue = IssueFactory(slug="spam")
    itu = InstitutionFactory(slug="itu", stakeholder_group="intergovernmental")
    documents = [DocumentFactory(title=f"Note {n}") for n in range(6)]
    documents[2].status = "draft"
    documents[2].save()
    for document in documents[1::2]:
        DocumentIssue.objects.create(document=document, issue=issue)
        document.institutions.add(itu)
    ids = [documents[n].pk for n in picked]
    entries = indexing._published_index_docs(ids)
    expected = [
        indexing.index_doc(indexing.indexed_documents().get(pk=pk))
        for pk in ids
        if pk != documents[2].pk  # a draft is not indexed
    ]
    assert sorted(entries, key=lambda e: e.id) == expected
    assert indexing.published_facets(ids) == {e.id: e.facets for e in expected}
