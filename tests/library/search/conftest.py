"""The search backend under test: the one DATABASE_URL selects (both in CI)."""

from datetime import date

import pytest

from clearinghouse.library.search import IndexDoc, get_backend


@pytest.fixture
def backend(db, settings, tmp_path):
    """An empty index of the configured engine (tantivy on SQLite, else PG)."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    engine = get_backend()
    engine.clear()
    yield engine
    engine.clear()


def doc(doc_id: int, title: str, body: str = "", **kwargs) -> IndexDoc:
    """An IndexDoc with defaults for the fields a test does not care about."""
    facets = kwargs.pop("facets", {})
    language = kwargs.pop("language", "en")
    return IndexDoc(
        id=doc_id,
        title=title,
        summary=kwargs.pop("summary", ""),
        body=body,
        language=language,
        date=kwargs.pop("date", date(2004, 3, 25)),
        facets={"language": [language], **facets},
    )
