"""The library's schema migrations, both ways, on the suite's database."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from clearinghouse.library.models import Document
from tests.library.factories import DocumentFactory

HISTORY = "library_historicaldocument"
LINKS = "library_document_institutions"
LATEST = "0003_document_keys_indexed_where_set"
SET_KEYS = {
    "jurisdiction_country_id": "library_document_country_set",
    "jurisdiction_region_id": "library_document_region_set",
    "submitted_by_id": "library_document_submitter_set",
}


def _indexes(table: str) -> dict[str, list[str]]:
    """Index name -> its columns (unique constraints too, which PostgreSQL
    lists apart from indexes; not the primary key)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: constraint["columns"]
        for name, constraint in constraints.items()
        if (constraint["index"] or constraint["unique"])
        and not constraint["primary_key"]
        and constraint["columns"]
    }


def _indexed_columns(table: str) -> set[str]:
    return {column for columns in _indexes(table).values() for column in columns}


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("library", target)])


@pytest.mark.django_db(transaction=True)
def test_the_history_loses_its_search_indexes_and_gets_them_back():
    """0002 drops the history copies' indexes of search and foreign keys
    (without rebuilding the table: its rows stay); going back builds them."""
    searched = {"title_key", "date", "canonical_url", "doi", "status", "updated_at"}
    kept = {"id", "history_date", "history_user_id"}
    document = DocumentFactory(title="Spam and the law")
    versions = document.history.count()
    assert versions >= 1
    assert _indexed_columns(HISTORY) & searched == set()
    assert kept <= _indexed_columns(HISTORY)
    try:
        _migrate("0001_initial")
        assert searched <= _indexed_columns(HISTORY)
        assert {"jurisdiction_country_id", "submitted_by_id"} <= _indexed_columns(
            HISTORY
        )
    finally:
        _migrate(LATEST)
    assert _indexed_columns(HISTORY) & searched == set()
    assert kept <= _indexed_columns(HISTORY)
    assert Document.history.filter(id=document.pk).count() == versions


def _plan(sql: str, params: list) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A small table is scanned anyway: ask whether the index can serve.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_keys_most_documents_leave_empty_are_indexed_where_set_and_back():
    """0003: the three keys' indexes are partial (where set) and still serve
    a query by the key; the publisher links keep one index that starts with
    the document; going back builds the full indexes again; rows stay."""
    DocumentFactory.create_batch(3)
    indexes = _indexes(Document._meta.db_table)
    for column, name in SET_KEYS.items():
        assert [n for n, columns in indexes.items() if columns == [column]] == [name]
    links = _indexes(LINKS)
    assert [columns for columns in links.values() if columns[0] == "document_id"] == [
        ["document_id", "institution_id"]
    ]
    for (column, name), value in zip(SET_KEYS.items(), (1, "002", 1), strict=True):
        sql = f"SELECT id FROM library_document WHERE {column} = %s"  # noqa: S608
        assert name in _plan(sql, [value])
    try:
        _migrate("0002_history_without_search_indexes")
        indexes = _indexes(Document._meta.db_table)
        assert not set(SET_KEYS.values()) & set(indexes)
        for column in SET_KEYS:
            assert [column] in indexes.values()
        assert ["document_id"] in _indexes(LINKS).values()
    finally:
        _migrate(LATEST)
    assert set(SET_KEYS.values()) <= set(_indexes(Document._meta.db_table))
    assert ["document_id"] not in _indexes(LINKS).values()
    assert Document.objects.count() == 3
