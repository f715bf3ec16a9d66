"""Inserts below the ORM (`library/bulk.py`): statements of many placeholders."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from clearinghouse.library import bulk
from clearinghouse.library.models import Document, DocumentProvenance
from tests.factories import InstitutionFactory
from tests.library.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def provenance_rows(document, identifiers):
    table = bulk.table_for(DocumentProvenance)
    values = {
        "document_id": document.pk,
        "source_key": "federation:1",
        "source_label": "Partner",
        "source_url": "https://partner.example.org/oai",
        "datestamp": None,
        "fetched_at": document.created_at,
        "deleted_upstream": False,
    }
    return table, [
        [{**values, "original_identifier": i}[name] for name in table.attnames]
        for i in identifiers
    ]


def test_rows_go_in_through_the_connections_execute_wrappers():
    document = DocumentFactory()
    table, rows = provenance_rows(document, ["a", "b", "c"])
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, len(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        keys = table.insert_returning_keys(rows)
    stored = dict(DocumentProvenance.objects.values_list("pk", "original_identifier"))
    assert [stored[k] for k in keys] == ["a", "b", "c"]
    ((sql, count),) = seen
    assert count == 3 * len(table.attnames)
    # On SQLite the statement arrives in sqlite3's own style, converted once.
    marker = "?" if connection.vendor == "sqlite" else "%s"
    assert sql.count(marker) == count


def test_a_logged_statement_is_logged_with_its_values():
    document = DocumentFactory()
    table, rows = provenance_rows(document, ["logged-identifier"])
    with CaptureQueriesContext(connection) as queries:
        table.insert_returning_keys(rows)
    assert "logged-identifier" in queries.captured_queries[-1]["sql"]


def test_a_refused_row_raises_djangos_error_and_writes_nothing():
    document = DocumentFactory()
    table, rows = provenance_rows(document, ["same", "same"])  # unique per source
    # (In a savepoint: PostgreSQL refuses any statement after an error until
    # the transaction, or the savepoint, is rolled back.)
    with pytest.raises(IntegrityError), transaction.atomic():
        table.insert_returning_keys(rows)
    assert not DocumentProvenance.objects.exists()
    assert Document.objects.count() == 1


@pytest.mark.parametrize("model", [DocumentProvenance, Document.institutions.through])
def test_a_row_of_the_wrong_width_is_refused_before_anything_is_written(model):
    table = bulk.table_for(model)
    rows = [[None] * len(table.attnames), [None] * (len(table.attnames) - 1)]
    with pytest.raises(ValueError, match="values"):
        table.insert(rows)
    assert not model.objects.exists()


def test_a_statement_with_another_percent_sign_is_left_to_django(settings):
    from django.db import connection as default

    with default.cursor() as cursor:
        bulk.execute(cursor, "SELECT %s || '%%'", ["50 "])
        assert cursor.fetchone()[0] == "50 %"
    assert bulk._qmark("SELECT %s || '%%'") is None
    assert bulk._qmark("SELECT %s, %s") == "SELECT ?, ?"


def test_rows_go_in_as_many_a_statement_as_the_parameter_limit_allows(monkeypatch):
    document = DocumentFactory()
    table, rows = provenance_rows(document, [f"r{n}" for n in range(7)])
    width = len(table.attnames)
    # Room for two rows and a half a statement: two rows each, the last alone.
    monkeypatch.setattr(bulk, "max_params", lambda connection: width * 2 + width // 2)
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(len(params) // width)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        table.insert(rows)
    assert seen == [2, 2, 2, 1]
    assert sorted(
        DocumentProvenance.objects.values_list("original_identifier", flat=True)
    ) == [f"r{n}" for n in range(7)]


def test_rows_already_there_are_skipped_when_asked_and_the_others_go_in():
    through = Document.institutions.through
    table = bulk.table_for(through)
    first, second = DocumentFactory(), DocumentFactory()
    institution = InstitutionFactory().pk

    def link(document):
        values = {"document_id": document.pk, "institution_id": institution}
        return [values[name] for name in table.attnames]

    table.insert([link(first)])
    # The same link again, twice in one statement, beside a new one.
    table.insert([link(first), link(second), link(first)], ignore_conflicts=True)
    assert sorted(through.objects.values_list("document_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        table.insert([link(second)])
    assert through.objects.count() == 2


def test_no_rows_send_no_statement():
    table = bulk.table_for(DocumentProvenance)
    with CaptureQueriesContext(connection) as queries:
        table.insert([])
        assert table.insert_returning_keys([]) == []
    assert not queries.captured_queries
