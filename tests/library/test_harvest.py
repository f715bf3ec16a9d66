"""Harvested documents: matching, merging, idempotence and withdrawal."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearinghouse.library.models import Document, DocumentProvenance, DocumentStatus
from clearinghouse.library.services import (
    document_upsert_harvested,
    document_withdraw_provenance,
)
from tests.factories import InstitutionFactory, IssueFactory

pytestmark = pytest.mark.django_db

STAMP = datetime(2005, 1, 2, 3, 4, 5, tzinfo=UTC)


def _writes(queries) -> list[str]:
    """The statements of a captured run that change the database."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


def harvest(key="federation:1", ident="oai:a:1", **fields):
    fields.setdefault("title", "Spam and the developing world")
    return document_upsert_harvested(
        source_key=key,
        source_label=f"Partner {key}",
        source_url="https://partner.example.org/oai",
        original_identifier=ident,
        datestamp=fields.pop("datestamp", STAMP),
        fields=fields,
    )


def test_a_new_record_creates_a_published_document_with_its_provenance():
    outcome = harvest(
        summary="A study.",
        authors=["A. Author", "B. Author", "A. Author"],
        date="2004-03",
        doc_type="research",
        language="en",
        url="HTTPS://Example.ORG/doc/?utm_source=x#top",
        doi="https://doi.org/10.1000/ABC",
    )
    document = outcome.document
    assert outcome.created and outcome.changed
    assert document.status == DocumentStatus.PUBLISHED
    assert document.authors == ["A. Author", "B. Author"]
    assert document.date == date(2004, 3, 1)
    assert document.date_precision == "month"
    assert document.doi == "10.1000/abc"
    assert document.canonical_url == "https://example.org/doc"
    provenance = document.provenances.get()
    assert (provenance.source_key, provenance.original_identifier) == (
        "federation:1",
        "oai:a:1",
    )
    assert provenance.datestamp == STAMP


def test_the_same_record_twice_writes_nothing_the_second_time():
    issue = IssueFactory()
    institution = InstitutionFactory()
    fields = {
        "summary": "<p>A study &amp; more.</p>",
        "authors": ["A. Author"],
        "date": date(2004, 3, 25),
        "issue_ids": [issue.pk],
        "institution_ids": [institution.pk],
        "doi": "10.1000/xyz",
    }
    first = harvest(**fields)
    before = Document.objects.get(pk=first.document.pk).updated_at
    provenance_before = DocumentProvenance.objects.get().fetched_at
    with CaptureQueriesContext(connection) as queries:
        second = harvest(**fields)
    assert not second.created and not second.changed
    assert second.document.pk == first.document.pk
    assert Document.objects.get().updated_at == before
    assert DocumentProvenance.objects.get().fetched_at == provenance_before
    assert _writes(queries) == []
    assert len(queries.captured_queries) <= 12


def test_a_changed_field_is_updated_and_the_datestamp_moves():
    first = harvest(summary="Old summary.")
    before = first.document.updated_at
    second = harvest(summary="New summary.")
    assert second.changed and not second.created
    document = Document.objects.get()
    assert document.summary == "New summary."
    assert document.updated_at > before


def test_another_source_with_the_same_doi_merges_and_both_are_credited(client):
    first = harvest(doi="10.1000/xyz", title="First title")
    second = harvest(
        key="federation:2",
        ident="rec-9",
        doi="DOI:10.1000/XYZ",
        title="A different title",
        summary="Filled in.",
    )
    assert second.document.pk == first.document.pk and not second.created
    document = Document.objects.get()
    # The second source fills blanks only: the first source's title stays.
    assert document.title == "First title"
    assert document.summary == "Filled in."
    assert document.provenances.count() == 2
    page = client.get(f"/en/library/{document.pk}/").content.decode()
    assert "Partner federation:1" in page and "Partner federation:2" in page


def test_the_canonical_url_matches_across_tracking_parameters_and_slashes():
    first = harvest(url="https://example.org/report/")
    second = harvest(
        key="federation:2",
        ident="x",
        title="Other",
        url="https://EXAMPLE.org/report?utm_campaign=a&fbclid=b#section-2",
    )
    assert second.document.pk == first.document.pk


def test_the_same_title_and_date_match_without_accents_case_or_punctuation():
    first = harvest(
        title="Régulation de l’Internet : un état des lieux", date="2004-05-01"
    )
    second = harvest(
        key="federation:2",
        ident="y",
        title="REGULATION DE L'INTERNET — UN ETAT DES LIEUX",
        date=date(2004, 5, 1),
    )
    assert second.document.pk == first.document.pk


def test_the_same_title_on_another_date_is_another_document():
    first = harvest(title="Annual report", date="2004-01-01")
    second = harvest(key="federation:2", ident="z", title="Annual report", date="2005")
    assert second.document.pk != first.document.pk
    assert second.created


def test_html_is_stripped_and_text_is_capped(settings):
    settings.LIBRARY_MAX_BODY_CHARS = 100
    outcome = harvest(
        title="<b>Bold</b> <script>alert(1)</script>title\x00",
        summary="<img src=x onerror=alert(1)>Summary",
        body="x" * 1000,
    )
    document = outcome.document
    assert document.title == "Bold title"
    assert "<" not in document.summary and document.summary == "Summary"
    assert len(document.body) == 100


def test_a_created_document_passes_the_models_validation_at_every_cap():
    # Created documents are valid by construction (no full_clean per record):
    # the longest, oddest values a partner may send still validate.
    outcome = harvest(
        title="T" * 5000,
        summary="S" * 50_000,
        authors=["A" * 1000] * 500,
        identifier="I" * 1000,
        doi="10.1000/" + "d" * 1000,
        licence="L" * 1000,
        url="https://example.org/" + "p" * 2000,
        doc_type="not-a-type",
        language="xx",
        date="2004-13-45",
    )
    document = Document.objects.get(pk=outcome.document.pk)
    document.full_clean()
    assert document.doc_type == "report" and document.date is None


def test_a_record_without_a_title_is_refused_and_nothing_is_stored():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        harvest(title="<p> </p>")
    assert not Document.objects.exists()
    assert not DocumentProvenance.objects.exists()


def test_a_document_is_withdrawn_only_when_its_last_source_deletes_it():
    first = harvest(doi="10.1000/a")
    harvest(key="federation:2", ident="b", doi="10.1000/a")
    assert document_withdraw_provenance(
        source_key="federation:1", original_identifier="oai:a:1"
    )
    document = Document.objects.get(pk=first.document.pk)
    assert document.status == DocumentStatus.PUBLISHED
    assert document_withdraw_provenance(
        source_key="federation:2", original_identifier="b"
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.WITHDRAWN
    assert document.withdrawn_at is not None
    # A tombstone: the row stays, and withdrawing again changes nothing.
    assert not document_withdraw_provenance(
        source_key="federation:2", original_identifier="b"
    )
    assert not document_withdraw_provenance(
        source_key="federation:9", original_identifier="unknown"
    )


def test_a_document_added_here_stays_when_its_harvested_source_deletes_it(secretariat):
    from clearinghouse.library.services import document_create

    document = document_create(
        by=secretariat, values={"title": "Local", "doi": "10.1000/local"}, source="form"
    )
    harvest(doi="10.1000/local")
    document_withdraw_provenance(
        source_key="federation:1", original_identifier="oai:a:1"
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.PUBLISHED


def test_a_record_that_comes_back_revives_its_withdrawn_document():
    first = harvest()
    document_withdraw_provenance(
        source_key="federation:1", original_identifier="oai:a:1"
    )
    outcome = harvest()
    assert outcome.changed and outcome.document.pk == first.document.pk
    document = Document.objects.get()
    assert document.status == DocumentStatus.PUBLISHED and document.withdrawn_at is None
    assert not document.provenances.get().deleted_upstream


def test_issues_are_suggested_from_the_text_in_any_language():
    from clearinghouse.taxonomy.models import Synonym

    issue = IssueFactory(name="Spam", name_fr="Pourriel", name_zh_hans="垃圾邮件")
    Synonym.objects.create(issue=issue, language="es", label="correo no deseado")
    outcome = harvest(title="Lutte contre le pourriel", summary="")
    tag = outcome.document.issue_tags.get()
    assert tag.issue == issue and not tag.confirmed
    other = harvest(key="federation:3", ident="c", title="关于垃圾邮件的报告")
    assert other.document.issue_tags.get().issue == issue


def test_a_given_issue_is_stored_as_the_model_builds_the_tag_with_its_history():
    from clearinghouse.library.models import DocumentIssue

    issue = IssueFactory(name="Interconnection costs")
    outcome = harvest(title="Peering in West Africa", issue_ids=[issue.pk])
    stored = DocumentIssue.objects.filter(document=outcome.document).values().get()
    expected = DocumentIssue(
        document=outcome.document, issue=issue, confirmed=False, score=1.0
    )
    assert {k: v for k, v in stored.items() if k != "id"} == {
        f.attname: getattr(expected, f.attname)
        for f in DocumentIssue._meta.concrete_fields
        if f.attname != "id"
    }
    version = DocumentIssue.history.model.objects.filter(id=stored["id"]).get()
    assert version.history_type == "+" and version.score == 1.0


def test_a_malformed_address_or_author_list_is_cleaned_not_fatal():
    outcome = harvest(
        url="http://exa mple.org/<x>",
        authors="Single Author",
        doi="not a doi",
        language="xx",
        doc_type="poem",
    )
    document = outcome.document
    assert document.url == "" and document.doi == ""
    assert document.authors == ["Single Author"]
    assert document.doc_type == "report"
    assert document.provenances.get().source_url == "https://partner.example.org/oai"


def batch(records, key="federation:1"):
    from clearinghouse.library.services import (
        HarvestedRecord,
        documents_upsert_harvested,
    )

    return documents_upsert_harvested(
        source_key=key,
        source_label=f"Partner {key}",
        source_url="https://partner.example.org/oai",
        records=[
            HarvestedRecord(ident, STAMP, {"title": "Spam and the law", **fields})
            for ident, fields in records
        ],
    )


def test_a_batch_inserted_in_several_statements_keys_each_record_to_its_row(
    monkeypatch,
):
    from clearinghouse.library import bulk

    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", 7)  # 30 records: 5 statements
    outcomes = batch([(f"r{n}", {"title": f"Report number {n}"}) for n in range(30)])
    stored = dict(Document.objects.values_list("pk", "title"))
    assert [stored[o.document.pk] for o in outcomes] == [
        f"Report number {n}" for n in range(30)
    ]
    assert dict(
        DocumentProvenance.objects.values_list("original_identifier", "document_id")
    ) == {f"r{n}": o.document.pk for n, o in enumerate(outcomes)}


def test_a_batch_matches_records_to_documents_created_earlier_in_the_same_batch():
    outcomes = batch(
        [
            ("a", {"doi": "10.1000/same"}),
            ("b", {"doi": "10.1000/same", "summary": "Filled by the second."}),
            ("c", {"url": "https://example.org/x"}),
            ("a", {"doi": "10.1000/same", "summary": "Its own source leads."}),
        ]
    )
    assert [o.created for o in outcomes] == [True, False, True, False]
    assert outcomes[0].document_id == outcomes[1].document_id
    assert Document.objects.count() == 2
    document = Document.objects.get(doi="10.1000/same")
    assert document.summary == "Its own source leads."
    assert sorted(
        document.provenances.values_list("original_identifier", flat=True)
    ) == [
        "a",
        "b",
    ]
    # History: its creation, then one version for what the batch's later
    # records changed (written in one bulk update).
    assert list(document.history.values_list("history_type", flat=True)) == [
        "~",
        "+",
    ]


def test_a_refused_record_leaves_the_rest_of_its_batch_written():
    from django.core.exceptions import ValidationError

    outcomes = batch(
        [
            ("ok-1", {"doi": "10.1000/one"}),
            ("bad", {"title": "<p></p>"}),
            ("ok-2", {"doi": "10.1000/two", "date": "2004"}),
        ]
    )
    assert isinstance(outcomes[1].error, ValidationError)
    assert outcomes[0].created and outcomes[2].created
    assert set(
        DocumentProvenance.objects.values_list("original_identifier", flat=True)
    ) == {
        "ok-1",
        "ok-2",
    }


@pytest.fixture
def refused_identifier():
    """The database itself refuses a provenance named "bad" (a trigger)."""
    if connection.vendor == "postgresql":
        create = [
            "CREATE FUNCTION refuse_bad() RETURNS trigger AS $$ BEGIN "
            "IF NEW.original_identifier = 'bad' THEN "
            "RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_bad BEFORE INSERT ON library_documentprovenance "
            "FOR EACH ROW EXECUTE FUNCTION refuse_bad()",
        ]
        drop = [
            "DROP TRIGGER refuse_bad ON library_documentprovenance",
            "DROP FUNCTION refuse_bad()",
        ]
    else:
        create = [
            "CREATE TRIGGER refuse_bad BEFORE INSERT ON library_documentprovenance "
            "WHEN NEW.original_identifier = 'bad' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        ]
        drop = ["DROP TRIGGER refuse_bad"]
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    yield "bad"
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)


def test_a_batch_the_database_refuses_is_written_record_by_record(refused_identifier):
    from django.db import DatabaseError

    outcomes = batch(
        [("ok-1", {"doi": "10.1000/one"}), (refused_identifier, {"doi": "10.1000/b"})]
    )
    assert outcomes[0].created and outcomes[0].error is None
    assert isinstance(outcomes[1].error, DatabaseError)
    assert list(Document.objects.values_list("doi", flat=True)) == ["10.1000/one"]
    assert not Document.history.filter(doi="10.1000/b").exists()


def test_an_unchanged_batch_writes_nothing_in_a_fixed_number_of_queries():
    records = [
        (f"r{n}", {"title": f"Report {n}", "doi": f"10.1000/{n}", "date": "2004"})
        for n in range(30)
    ]
    batch(records)
    with CaptureQueriesContext(connection) as queries:
        outcomes = batch(records)
    assert not any(o.changed for o in outcomes)
    assert _writes(queries) == []
    assert len(queries.captured_queries) <= 12


def _columns(row: dict, *, without=("id", "created_at", "updated_at")) -> dict:
    return {name: value for name, value in row.items() if name not in without}


def test_a_created_document_holds_what_the_model_builds_from_its_values():
    # New documents are built from a row of every column, not field by field:
    # the stored row is still the one `Document(**values)` gives, blanks left
    # at the model's defaults, and its history row repeats it.
    full = harvest(
        ident="full",
        summary="A study.",
        body="Its body.",
        authors=["A. Author"],
        date="2004-03-02",
        doc_type="research",
        language="fr",
        url="https://example.org/doc",
        identifier="ISBN 1",
        doi="10.1000/full",
        licence="CC-BY",
    )
    bare = harvest(ident="bare", title="Only a title, on spam")
    built = {
        full.document.pk: Document(
            title="Spam and the developing world",
            title_key="spam and the developing world",
            summary="A study.",
            body="Its body.",
            authors=["A. Author"],
            date=date(2004, 3, 2),
            date_precision="day",
            doc_type="research",
            language="fr",
            url="https://example.org/doc",
            canonical_url="https://example.org/doc",
            identifier="ISBN 1",
            doi="10.1000/full",
            licence="CC-BY",
            status=DocumentStatus.PUBLISHED,
        ),
        bare.document.pk: Document(
            title="Only a title, on spam",
            title_key="only a title on spam",
            doc_type="report",
            language=bare.document.language,  # detected from the text
            status=DocumentStatus.PUBLISHED,
        ),
    }
    history = Document.history.model.objects
    for pk, expected in built.items():
        stored = Document.objects.filter(pk=pk).values().get()
        wanted = {
            f.attname: getattr(expected, f.attname)
            for f in Document._meta.concrete_fields
        }
        assert _columns(stored) == _columns(wanted)
        version = history.filter(id=pk).values().get()
        assert version["history_type"] == "+"
        assert {
            name: value
            for name, value in version.items()
            if not name.startswith("history_")
        } == stored
    assert full.document.authors is not bare.document.authors
    # Its provenance too is the row `DocumentProvenance(**values)` gives.
    stored = DocumentProvenance.objects.filter(document=full.document).values().get()
    expected = DocumentProvenance(
        document=full.document,
        source_key="federation:1",
        source_label="Partner federation:1",
        source_url="https://partner.example.org/oai",
        original_identifier="full",
        datestamp=STAMP,
        fetched_at=stored["fetched_at"],  # the time of the harvest
    )
    assert _columns(stored, without=("id",)) == {
        f.attname: getattr(expected, f.attname)
        for f in DocumentProvenance._meta.concrete_fields
        if f.attname != "id"
    }


def test_a_provenance_with_an_overlong_identifier_is_refused_with_its_field():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        harvest(ident="i" * 501)
    assert list(refused.value.message_dict) == ["original_identifier"]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("HTTPS://Example.ORG:443/a/", "https://example.org/a"),
        ("https://example.org/a?", "https://example.org/a"),
        ("https://example.org/a?utm_source=x&fbclid=y", "https://example.org/a"),
        ("https://example.org/a?b=1&utm_medium=x&c=", "https://example.org/a?b=1&c="),
        ("http://example.org:8080/a#part", "http://example.org:8080/a"),
        ("ftp://example.org/a", ""),
    ],
)
def test_the_canonical_address_keeps_only_what_identifies_the_page(address, canonical):
    from clearinghouse.library.text import canonical_url

    assert canonical_url(address) == canonical


def _random_address(rng) -> str:
    """An address built from pieces that are sometimes plain, sometimes not."""

    def label():
        length = rng.choice([1, 2, 5, 61, 62, 63, 64])
        chars = "ab9-" if rng.random() < 0.8 else "ab9-Z_é"
        return "".join(rng.choice(chars) for _ in range(length))

    host = ".".join(label() for _ in range(rng.randint(1, 4)))
    host += rng.choice([".org", ".org", ".ORG", ".o", ".museum", ".xn--p1ai", ".9", ""])
    if rng.random() < 0.02:
        host = ".".join(["a" * 63] * 4) + ".org"  # longer than 253
    chars = "a/._~%-" if rng.random() < 0.7 else "a/._~%-?#:@ Ü"
    path = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
    return (
        rng.choice(["http://", "https://", "https://", "HTTPS://", "ftp://", "http:/"])
        + rng.choice(["", "", "", "", "user@"])
        + host
        + rng.choice(["", "", "", "", ":8080", ":443", ":x"])
        + (("/" + path) if rng.random() < 0.8 else path)
    )


def test_plain_addresses_are_stored_and_keyed_as_any_address_is():
    import random

    from clearinghouse.library.services import _checked_url_and_key, _url_and_key

    rng = random.Random(2004)  # noqa: S311 (seeded test data, not secrets)
    addresses = [_random_address(rng) for _ in range(20000)]
    addresses += ["https://bench.example.org/doc/1", "http://a.bc/", "http://a.bc"]
    plain = 0
    for address in addresses:
        got = _url_and_key(address)
        assert got == _checked_url_and_key(address), address
        plain += got[0] != "" and got[1] == address.rstrip("/")
    assert plain > 300  # the fast path was taken often


def test_plain_ascii_text_is_cleaned_as_any_text_is():
    import random

    from clearinghouse.library.text import _plain_text, plain_text

    pieces = ["a", "Z", "9", " ", "  ", ".", "'", ">", "~", "=", ";"]
    pieces += ["\n", "\r\n", "\t", "<b>", "&amp;", "&", "é", "\x00", "\x7f", "\u2003"]
    rng = random.Random(2004)  # noqa: S311 (seeded test data, not secrets)
    plain = 0
    for _ in range(20000):
        weights = [20] * 11 + [1] * 10 if rng.random() < 0.6 else None
        text = "".join(rng.choices(pieces, weights=weights, k=rng.randint(0, 30)))
        for single_line in (True, False):
            for limit in (5, 300):
                got = plain_text(text, limit=limit, single_line=single_line)
                assert got == _plain_text(text, limit=limit, single_line=single_line), (
                    text,
                    single_line,
                    limit,
                )
        plain += text.isascii() and text.isprintable() and "<" not in text
    assert plain > 1000  # the fast path was taken often


def _stored_rows() -> dict[str, list]:
    """Every row a harvest writes, keyed by what identifies it rather than by
    the keys the database gave (which differ between two runs)."""
    from clearinghouse.library.models import DocumentIssue

    title = dict(Document.objects.values_list("pk", "title"))

    def rows(queryset, *, without=("id",)):
        found = []
        for row in queryset.values():
            row = {k: v for k, v in row.items() if k not in without}
            if "document_id" in row:
                row["document_id"] = title[row["document_id"]]
            found.append(sorted(row.items(), key=lambda kv: kv[0]))
        return sorted(found, key=repr)

    history = ("id", "history_id")
    return {
        "documents": rows(Document.objects),
        "document history": rows(Document.history.model.objects, without=history),
        "provenances": rows(DocumentProvenance.objects),
        "tags": rows(DocumentIssue.objects),
        "tag history": [
            [kv for kv in row if kv[0] != "id"]
            for row in rows(DocumentIssue.history.model.objects, without=history)
        ],
        "links": rows(Document.institutions.through.objects),
    }


def test_records_created_as_rows_store_what_the_general_path_stores(monkeypatch):
    """A batch's records that match nothing go in as rows (no model object
    each); the rows stored are those of the general path, record for record,
    with records matching an earlier one of the batch left to the latter."""
    from freezegun import freeze_time

    from clearinghouse.library.services import HarvestedRecord, _HarvestBatch
    from clearinghouse.taxonomy.models import Synonym

    spam = IssueFactory(name="Spam", name_fr="Pourriel")
    Synonym.objects.create(issue=spam, language="es", label="correo no deseado")
    given = IssueFactory(name="Interconnection costs")
    publisher = InstitutionFactory()
    records = [
        HarvestedRecord(
            "full",
            STAMP,
            {
                "title": "Lutte contre le pourriel",
                "summary": "Une étude.",
                "body": "Son texte.",
                "authors": ["A. Auteur", "A. Auteur", "B. Autre"],
                "date": "2004-03",
                "doc_type": "research",
                "language": "fr",
                "url": "HTTPS://Example.ORG/doc/?utm_source=x",
                "identifier": "ISBN 1",
                "doi": "doi:10.1000/full",
                "licence": "CC-BY",
                "issue_ids": [given.pk, 999_999],
                "institution_ids": [publisher.pk, publisher.pk, 999_999],
            },
        ),
        HarvestedRecord("bare", None, {"title": "Informe sobre correo no deseado"}),
        HarvestedRecord("refused", STAMP, {"title": "<p></p>"}),
        HarvestedRecord("i" * 501, STAMP, {"title": "An overlong identifier"}),
        HarvestedRecord("dated", "2005-01-02", {"title": "Peering", "date": "2004"}),
        # From here on, the batch matches itself: left to the general path.
        HarvestedRecord("same-doi", STAMP, {"title": "Other", "doi": "10.1000/full"}),
        HarvestedRecord("after", STAMP, {"title": "After a match", "date": "2003"}),
    ]

    def run(*, as_rows: bool) -> tuple[list, dict]:
        if not as_rows:
            monkeypatch.setattr(
                _HarvestBatch, "create_new", lambda self, cleaned, errors, index: []
            )
        with freeze_time("2026-12-07 06:00:00"):
            outcomes = batch_of(records)
        monkeypatch.undo()
        summary = [
            (o.created, o.changed, type(o.error).__name__, o.document_id is not None)
            for o in outcomes
        ]
        stored = _stored_rows()
        from clearinghouse.library.models import DocumentIssue

        Document.objects.all().delete()  # with history rows of the deletions
        Document.history.model.objects.all().delete()
        DocumentIssue.history.model.objects.all().delete()
        return summary, stored

    as_rows = run(as_rows=True)
    general = run(as_rows=False)
    summary, stored = as_rows
    # The one difference: a document created as rows, then matched by a later
    # record of the batch, has a version for that change too (as when the
    # records are upserted one by one); the general path folds it into one.
    changed = [
        row for row in stored["document history"] if ("history_type", "~") in row
    ]
    assert [dict(row)["title"] for row in changed] == ["Lutte contre le pourriel"]
    stored["document history"] = [
        row for row in stored["document history"] if row not in changed
    ]
    assert as_rows == general
    assert [created for created, *_rest in summary] == [
        True,
        True,
        False,
        False,
        True,
        False,
        True,
    ]
    assert len(stored["documents"]) == 4 and len(stored["provenances"]) == 5
    assert len(stored["tags"]) == 3 and len(stored["links"]) == 1


def batch_of(records, key="federation:1"):
    from clearinghouse.library.services import documents_upsert_harvested

    return documents_upsert_harvested(
        source_key=key,
        source_label=f"Partner {key}",
        source_url="https://partner.example.org/oai",
        records=records,
    )
