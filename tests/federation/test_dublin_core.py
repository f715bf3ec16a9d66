"""Recorded OAI-PMH responses: Dublin Core mapped to library fields, then harvested."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from clearinghouse.federation.harvesting import HarvestFailed, parse_xml
from clearinghouse.federation.oai import OAI, dublin_core_fields
from clearinghouse.library.models import Document, DocumentStatus
from tests.loopback import LoopbackServer, send

from .oai_server import OaiRepository

DATA = Path(__file__).parent / "data" / "oai"
CASES = sorted(p.stem for p in (DATA / "in").glob("*.xml"))


@pytest.mark.parametrize("case", CASES)
def test_recorded_records_map_to_the_expected_fields(case):
    root = parse_xml((DATA / "in" / f"{case}.xml").read_bytes(), what="recorded")
    expected = json.loads((DATA / "out" / f"{case}.json").read_text())
    got = {}
    for record in root.iter(f"{OAI}record"):
        metadata = record.find(f"{OAI}metadata")
        if metadata is not None:
            identifier = record.find(f"{OAI}header/{OAI}identifier").text
            got[identifier] = dublin_core_fields(metadata)
    assert got == expected


@pytest.mark.django_db
def test_a_recorded_response_is_harvested_by_the_command(make_source, capsys):
    recorded = (DATA / "in" / "dspace-listrecords.xml").read_bytes()
    identify = OaiRepository()._identify().encode()

    def route(handler):
        body = identify if "verb=Identify" in handler.path else recorded
        send(handler, 200, body, content_type="text/xml")

    with LoopbackServer() as server:
        server.routes["/oai/request"] = route
        source = make_source(server.url("/oai/request"))
        call_command("harvest", "--source", str(source.pk))
    out = capsys.readouterr().out
    assert "succeeded" in out and "created 2" in out
    document = Document.objects.get(doi="10.5555/igf.2025.1201")
    assert document.summary == ("Une étude comparative des coûts d'interconnexion.")
    assert document.language == "fr"
    assert document.status == DocumentStatus.PUBLISHED
    assert Document.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        (b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "entities"),
        (b'<!DOCTYPE a [<!ENTITY e "x">]><a>no reference</a>', "entities"),
        (
            b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
            "entities",
        ),
        (b'<!DOCTYPE a SYSTEM "http://example.org/a.dtd"><a>&e;</a>', "entities"),
        (b"<a>&e;</a>", "well-formed"),
        (b"<a>caf\xe9</a>", "well-formed"),
        (b"<a><b>", "well-formed"),
        (b"", "well-formed"),
    ],
)
def test_xml_with_entities_or_broken_is_refused(content, refusal):
    with pytest.raises(HarvestFailed) as refused:
        parse_xml(content, what="The response")
    assert refusal in refused.value.message


def test_texts_read_through_comments_instructions_and_cdata():
    root = parse_xml(
        b'<!DOCTYPE a SYSTEM "a.dtd"><a>A<!--x-->B<?pi x?>C'
        b"<![CDATA[<D>]]>&amp;&#69;</a>",
        what="The response",
    )
    assert root.text == "ABC<D>&E"
