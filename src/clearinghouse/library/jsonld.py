"""schema.org description of a document for its page (JSON-LD data, not script)."""

from .models import Document, DocumentType

_TYPES = {
    DocumentType.RESEARCH: "ScholarlyArticle",
    DocumentType.LAW: "Legislation",
    DocumentType.REPORT: "Report",
    DocumentType.NEWS: "NewsArticle",
    DocumentType.PROCEEDINGS: "Book",
}


def document_jsonld(document: Document, *, page_url: str) -> dict:
    """The schema.org object of a document (its relations must be loaded)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": _TYPES.get(document.doc_type, "CreativeWork"),
        "@id": page_url,
        "url": page_url,
        "name": document.title,
        "genre": document.get_doc_type_display(),
    }
    if document.summary:
        data["abstract"] = document.summary
    if document.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in document.authors]
    publishers = [
        {"@type": "Organization", "name": institution.name}
        | ({"url": institution.website} if institution.website else {})
        for institution in document.institutions.all()
    ]
    if publishers:
        data["publisher"] = publishers
    if document.date:
        data["datePublished"] = {
            "year": f"{document.date.year:04d}",
            "month": document.date.strftime("%Y-%m"),
        }.get(document.date_precision, document.date.isoformat())
    if document.language:
        data["inLanguage"] = document.language
    identifiers = []
    if document.doi:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "DOI", "value": document.doi}
        )
    if document.identifier and document.identifier != document.doi:
        identifiers.append(document.identifier)
    if identifiers:
        data["identifier"] = identifiers
    if document.url:
        data["sameAs"] = document.url
    if document.licence:
        data["license"] = document.licence
    about = [
        {"@type": "DefinedTerm", "name": tag.issue.name, "termCode": tag.issue.slug}
        for tag in document.issue_tags.all()
        if tag.confirmed
    ]
    if about:
        data["about"] = about
    if document.jurisdiction_country_id:
        data["spatialCoverage"] = {
            "@type": "Country",
            "name": document.jurisdiction_country.name,
            "identifier": document.jurisdiction_country.iso2,
        }
    elif document.jurisdiction_region_id:
        data["spatialCoverage"] = {
            "@type": "Place",
            "name": document.jurisdiction_region.name,
        }
    return data
