"""Library search: one interface, an embedded engine and PostgreSQL full-text.

    from clearinghouse.library.search import get_backend, IndexDoc, SearchRequest
    backend = get_backend()
    backend.index([IndexDoc(...)])
    result = backend.search(SearchRequest(q='"internet governance" -spam'))

`SEARCH_BACKEND` (setting, from the environment) chooses the engine:
"tantivy" (embedded), "postgresql", or a dotted path to a `SearchBackend`
subclass; empty means PostgreSQL when the default database is PostgreSQL and
the embedded engine otherwise. `SEARCH_INDEX_DIR` is the embedded index's
directory.
"""

import threading

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    FACET_KEYS,
    Hit,
    IndexDoc,
    SearchBackend,
    SearchRequest,
    SearchResult,
)

__all__ = [
    "FACET_KEYS",
    "Hit",
    "IndexDoc",
    "SearchBackend",
    "SearchRequest",
    "SearchResult",
    "get_backend",
]

ALIASES = {
    "tantivy": "clearinghouse.library.search.tantivy_backend.TantivyBackend",
    "postgresql": "clearinghouse.library.search.postgres_backend.PostgresBackend",
}
_backends: dict[tuple[str, str], SearchBackend] = {}
_lock = threading.Lock()


def backend_path() -> str:
    """The dotted path of the configured backend class."""
    name = getattr(settings, "SEARCH_BACKEND", "") or ""
    if not name:
        engine = settings.DATABASES["default"]["ENGINE"]
        name = "postgresql" if "postgresql" in engine else "tantivy"
    return ALIASES.get(name, name)


def get_backend() -> SearchBackend:
    """The configured search backend (one instance per process and setting)."""
    path = backend_path()
    index_dir = str(
        getattr(settings, "SEARCH_INDEX_DIR", "") or settings.VAR_DIR / "search"
    )
    key = (path, index_dir)
    with _lock:
        if key not in _backends:
            cls = import_string(path)
            _backends[key] = cls(index_dir=index_dir)
        return _backends[key]
