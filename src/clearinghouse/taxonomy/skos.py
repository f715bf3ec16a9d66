"""The taxonomy as a SKOS concept scheme (rdflib graph)."""

from django.conf import settings
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from .models import Area, Issue


def _language_tag(code: str) -> str:
    return "zh-Hans" if code == "zh-hans" else code


def taxonomy_graph(*, base: str) -> Graph:
    """Areas as top concepts, issues beneath them, labels in every language.

    Concept URIs are language-neutral (`{base}issues/<slug>`) and resolve to the
    page in the visitor's language.
    """
    base = base.rstrip("/") + "/"
    ns = Namespace(base)
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("dcterms", DCTERMS)
    scheme = URIRef(f"{base}taxonomy")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add(
        (scheme, DCTERMS.title, Literal(settings.CLEARINGHOUSE_SITE_NAME, lang="en"))
    )
    languages = [code for code, _name in settings.LANGUAGES]

    def labels(subject: URIRef, obj, field: str, predicate) -> None:
        for code in languages:
            value = getattr(obj, f"{field}_{code.replace('-', '_')}", "")
            if value:
                graph.add(
                    (subject, predicate, Literal(value, lang=_language_tag(code)))
                )

    for area in Area.objects.order_by("order", "slug"):
        node = ns[f"areas/{area.slug}"]
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, SKOS.topConceptOf, scheme))
        graph.add((scheme, SKOS.hasTopConcept, node))
        graph.add((node, SKOS.notation, Literal(area.slug)))
        labels(node, area, "name", SKOS.prefLabel)
        labels(node, area, "definition", SKOS.definition)

    issues = Issue.objects.select_related("area", "broader").prefetch_related(
        "related", "synonyms"
    )
    for issue in issues:
        node = ns[f"issues/{issue.slug}"]
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, SKOS.notation, Literal(issue.slug)))
        labels(node, issue, "name", SKOS.prefLabel)
        labels(node, issue, "definition", SKOS.definition)
        parent = (
            ns[f"issues/{issue.broader.slug}"]
            if issue.broader
            else ns[f"areas/{issue.area.slug}"]
        )
        graph.add((node, SKOS.broader, parent))
        graph.add((parent, SKOS.narrower, node))
        for other in issue.related.all():
            graph.add((node, SKOS.related, ns[f"issues/{other.slug}"]))
        for synonym in issue.synonyms.all():
            graph.add(
                (
                    node,
                    SKOS.altLabel,
                    Literal(synonym.label, lang=_language_tag(synonym.language)),
                )
            )
        if issue.source_url:
            graph.add((node, DCTERMS.source, URIRef(issue.source_url)))
    return graph
