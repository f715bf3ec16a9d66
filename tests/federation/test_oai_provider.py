"""Our /oai: every verb and error validates against the official schemas."""

from pathlib import Path

import pytest
from lxml import etree
from oaipmh_scythe import Scythe

from clearinghouse.library.models import Document
from clearinghouse.library.services import (
    document_upsert_harvested,
    document_withdraw_provenance,
)
from tests.factories import InstitutionFactory, IssueFactory

SCHEMAS = Path(__file__).parent / "schemas"
NS = {"o": "http://www.openarchives.org/OAI/2.0/"}


@pytest.fixture(scope="module")
def schema():
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:import namespace="http://www.openarchives.org/OAI/2.0/" '
        f'schemaLocation="{(SCHEMAS / "OAI-PMH.xsd").as_uri()}"/>'
        '<xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        f'schemaLocation="{(SCHEMAS / "oai_dc.xsd").as_uri()}"/>'
        "</xs:schema>"
    )
    return etree.XMLSchema(etree.fromstring(wrapper))


def add_documents(count: int, *, start: int = 0, issue=None, institution=None):
    for n in range(start, start + count):
        document_upsert_harvested(
            source_key="federation:test",
            source_label="Test partner",
            source_url="https://partner.example.org/oai",
            original_identifier=f"rec-{n}",
            datestamp="2026-01-01T00:00:00Z",
            fields={
                "title": f"Study {n} of spam & <phishing>",
                "summary": "A study.",
                "authors": ["Ann Example", "Ben Example"],
                "date": "2025-05-01",
                "doc_type": "research",
                "language": "zh-hans" if n % 2 else "en",
                "url": f"https://partner.example.org/doc/{n}",
                "doi": f"10.1234/study.{n}",
                "licence": "CC BY 4.0",
                "issue_ids": [issue.pk] if issue else [],
                "institution_ids": [institution.pk] if institution else [],
            },
        )


@pytest.fixture
def documents(db):
    issue = IssueFactory()
    institution = InstitutionFactory()
    add_documents(12, issue=issue, institution=institution)
    document_withdraw_provenance(
        source_key="federation:test", original_identifier="rec-3"
    )
    return {"issue": issue, "institution": institution}


def oai(client, schema, **params) -> etree._Element:
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert "max-age" in response["Cache-Control"]
    root = etree.fromstring(response.content)
    assert schema.validate(root), schema.error_log
    return root


def error_code(root) -> str | None:
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


def identifiers(root) -> list[str]:
    return [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]


def first_identifier(client, schema) -> str:
    root = oai(client, schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    return identifiers(root)[0]


@pytest.mark.django_db
def test_every_verb_validates(client, schema, documents, settings):
    settings.OAI_PAGE_SIZE = 5
    identify = oai(client, schema, verb="Identify")
    assert identify.findtext(".//o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext(".//o:granularity", namespaces=NS) == (
        "YYYY-MM-DDThh:mm:ssZ"
    )
    assert error_code(oai(client, schema, verb="ListMetadataFormats")) is None
    sets = oai(client, schema, verb="ListSets")
    specs = {e.text for e in sets.iterfind(".//o:setSpec", NS)}
    assert f"issue:{documents['issue'].slug}" in specs
    assert f"institution:{documents['institution'].slug}" in specs
    assert "type:research" in specs
    identifier = first_identifier(client, schema)
    assert (
        error_code(
            oai(client, schema, verb="ListMetadataFormats", identifier=identifier)
        )
        is None
    )
    record = oai(
        client, schema, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc"
    )
    assert record.find(".//o:metadata", NS) is not None
    for verb in ("ListIdentifiers", "ListRecords"):
        seen: list[str] = []
        root = oai(client, schema, verb=verb, metadataPrefix="oai_dc")
        while True:
            seen += identifiers(root)
            token = root.find(f".//o:{verb}/o:resumptionToken", NS)
            if token is None or not (token.text or "").strip():
                break
            assert token.get("completeListSize") == "12"
            root = oai(client, schema, verb=verb, resumptionToken=token.text)
        assert len(seen) == len(set(seen)) == 12


@pytest.mark.django_db
def test_withdrawn_documents_are_deleted_records(client, schema, documents):
    root = oai(client, schema, verb="ListRecords", metadataPrefix="oai_dc")
    deleted = root.findall(".//o:header[@status='deleted']", NS)
    assert len(deleted) == 1
    record = deleted[0].getparent()
    assert record.find("o:metadata", NS) is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-01-01",
                "until": "2026-02-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-02-01",
                "until": "2026-01-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "issue:none"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21"},
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": "oai:else:1",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "ListMetadataFormats", "identifier": "oai:igc.example.org:999999"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "ListIdentifiers",
                "metadataPrefix": "oai_dc",
                "from": "2999-01-01",
            },
            "noRecordsMatch",
        ),
    ],
)
@pytest.mark.django_db
def test_every_error_validates(client, schema, documents, params, code):
    root = oai(client, schema, **params)
    assert error_code(root) == code
    if code in {"badVerb", "badArgument"}:
        assert dict(root.find("o:request", NS).attrib) == {}


@pytest.mark.django_db
def test_a_repeated_argument_is_a_bad_argument(client, schema, documents):
    response = client.get("/oai?verb=Identify&verb=Identify")
    root = etree.fromstring(response.content)
    assert schema.validate(root)
    assert error_code(root) == "badArgument"


@pytest.mark.django_db
def test_post_requests_are_answered(client, schema, documents):
    response = client.post("/oai", {"verb": "Identify"})
    root = etree.fromstring(response.content)
    assert schema.validate(root) and error_code(root) is None


@pytest.mark.django_db
def test_tokens_survive_concurrent_inserts(client, schema, documents, settings):
    settings.OAI_PAGE_SIZE = 4
    root = oai(client, schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = identifiers(root)
    token = root.find(".//o:resumptionToken", NS).text
    add_documents(5, start=100)  # inserted while the harvester pages
    while token:
        root = oai(client, schema, verb="ListIdentifiers", resumptionToken=token)
        seen += identifiers(root)
        element = root.find(".//o:resumptionToken", NS)
        token = (element.text or "").strip() if element is not None else ""
    assert len(seen) == len(set(seen)) == 12
    # The next incremental harvest gets the new ones.
    assert Document.objects.count() == 17


@pytest.mark.django_db
def test_sets_and_dates_select_records(client, schema, documents):
    other = IssueFactory()
    add_documents(2, start=50, issue=other)
    root = oai(
        client,
        schema,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=f"issue:{other.slug}",
    )
    assert len(identifiers(root)) == 2
    root = oai(
        client,
        schema,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=f"area:{other.area.slug}",
    )
    assert len(identifiers(root)) >= 2
    root = oai(
        client,
        schema,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        until="2000-01-01",
    )
    assert error_code(root) == "noRecordsMatch"


@pytest.mark.django_db(transaction=True)
def test_a_client_we_did_not_write_harvests_everything(live_server, settings):
    settings.OAI_PAGE_SIZE = 5
    add_documents(13)
    document_withdraw_provenance(
        source_key="federation:test", original_identifier="rec-0"
    )
    with Scythe(f"{live_server.url}/oai") as scythe:
        identify = scythe.identify()
        assert identify.deletedRecord == "persistent"
        records = list(scythe.list_records(metadata_prefix="oai_dc"))
        headers = list(scythe.list_identifiers(metadata_prefix="oai_dc"))
    got = [record.header.identifier for record in records]
    assert len(got) == len(set(got)) == 13
    assert {h.identifier for h in headers} == set(got)
    assert sum(record.header.deleted for record in records) == 1
    live = [record for record in records if not record.header.deleted]
    assert all(record.metadata["title"][0].startswith("Study") for record in live)
