"""The library's schema migrations, both ways, on the suite's database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clearinghouse.library.models import Document
from tests.library.factories import DocumentFactory

HISTORY = "library_historicaldocument"


def _indexed_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        column
        for constraint in constraints.values()
        if constraint["index"] and not constraint["primary_key"]
        for column in constraint["columns"]
    }


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
        _migrate("0002_history_without_search_indexes")
    assert _indexed_columns(HISTORY) & searched == set()
    assert kept <= _indexed_columns(HISTORY)
    assert Document.history.filter(id=document.pk).count() == versions
