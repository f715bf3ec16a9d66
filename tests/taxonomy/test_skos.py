"""The taxonomy as SKOS, in Turtle and JSON-LD, at language-neutral URLs."""

import json
import warnings

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from clearinghouse.taxonomy.models import Synonym
from tests.factories import AreaFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy(db):
    area = AreaFactory(slug="security", name_en="Security", name_fr="Sécurité")
    spam = IssueFactory(slug="spam", area=area, name_en="Spam", name_fr="Pourriel")
    phishing = IssueFactory(slug="phishing", area=area, broader=spam)
    phishing.related.add(IssueFactory(slug="fraud", area=area))
    Synonym.objects.create(issue=spam, language="fr", label="courriel indésirable")
    return spam


def test_turtle_lists_concepts_with_labels_in_each_language(client, taxonomy):
    response = client.get("/taxonomy.ttl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content.decode(), format="turtle")
    spam = URIRef("http://testserver/issues/spam")
    assert (spam, SKOS.prefLabel, Literal("Pourriel", lang="fr")) in graph
    assert (spam, SKOS.altLabel, Literal("courriel indésirable", lang="fr")) in graph
    assert (spam, SKOS.broader, URIRef("http://testserver/areas/security")) in graph
    phishing = URIRef("http://testserver/issues/phishing")
    assert (phishing, SKOS.broader, spam) in graph
    assert (phishing, SKOS.related, URIRef("http://testserver/issues/fraud")) in graph


def test_jsonld_is_the_same_graph(client, taxonomy):
    response = client.get("/taxonomy.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    json.loads(response.content)
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser calls its own deprecated Dataset API.
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(data=response.content.decode(), format="json-ld")
    turtle = Graph().parse(
        data=client.get("/taxonomy.ttl").content.decode(), format="turtle"
    )
    assert len(graph) == len(turtle) > 0


def test_concept_uris_resolve_to_the_page_in_the_visitors_language(client, taxonomy):
    response = client.get("/issues/spam/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"] == "/fr/issues/spam/"


def test_an_issue_cannot_be_its_own_ancestor(taxonomy):
    from django.core.exceptions import ValidationError

    from clearinghouse.taxonomy.models import Issue

    phishing = Issue.objects.get(slug="phishing")
    taxonomy.broader = phishing
    with pytest.raises(ValidationError, match="broader than itself"):
        taxonomy.full_clean()
