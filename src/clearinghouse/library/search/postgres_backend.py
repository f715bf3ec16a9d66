"""PostgreSQL full-text search: a stored, weighted tsvector with a GIN index.

The table `library_search_entry` (created by this package's migration) keeps,
per document, the tsvector of its normalized text (`text.py`, the same tokens
as the embedded engine: Chinese as bigrams, Arabic and Latin folded), weighted
title A / summary B / body D. Each part is indexed twice: with the `simple`
configuration (exact words, phrases, no stop words) and with the document
language's own configuration (stems) where PostgreSQL has one; a query word
matches its exact form or its stem in any of the five stemming
configurations. `head` is the vector of title and summary alone: broad
queries are ranked among the documents that match there first (a two-stage
plan), since ranking every match with ts_rank does not scale. Facet values
are a text[] of "key=value" with a GIN index, for filters and counts.
"""

import logging
from collections.abc import Iterable
from datetime import date

from django.db import connections, transaction

from .base import FACET_KEYS, IndexDoc, SearchBackend, SearchRequest
from .query import ParsedQuery, Phrase
from .text import index_text

logger = logging.getLogger(__name__)

TABLE = "library_search_entry"
# PostgreSQL's text-search configuration per language; "simple" elsewhere
# (Chinese: our bigrams are the segmentation).
CONFIGS = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "ar": "arabic",
}
STEMMERS = tuple(CONFIGS.values())
# Above this many matches, rank the documents matching in title or summary
# first; rank every match only when those do not fill the page.
RANK_ALL_BELOW = 20_000
BATCH = 1_000
BODY_CHARS = 8_000
EPOCH = date(1970, 1, 1)

CREATE_SQL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigint PRIMARY KEY,
    language text NOT NULL DEFAULT '',
    day integer,
    title text NOT NULL DEFAULT '',
    summary text NOT NULL DEFAULT '',
    body text NOT NULL DEFAULT '',
    facets text[] NOT NULL DEFAULT '{{}}',
    head tsvector NOT NULL,
    vector tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS {TABLE}_vector ON {TABLE} USING gin (vector);
CREATE INDEX IF NOT EXISTS {TABLE}_head ON {TABLE} USING gin (head);
CREATE INDEX IF NOT EXISTS {TABLE}_facets ON {TABLE} USING gin (facets);
CREATE INDEX IF NOT EXISTS {TABLE}_day ON {TABLE} (day DESC NULLS LAST, id DESC);
"""
DROP_SQL = f"DROP TABLE IF EXISTS {TABLE}"


def _part(param: str, weight: str, config: str) -> str:
    simple = f"to_tsvector('simple', {param})"
    if config != "simple":
        simple = f"({simple} || to_tsvector('{config}', {param}))"
    return f"setweight({simple}, '{weight}')"


def _upsert_sql(config: str) -> str:
    head = f"{_part('%(t)s', 'A', config)} || {_part('%(s)s', 'B', config)}"
    vector = f"{head} || {_part('%(b)s', 'D', config)}"
    # Only constants are interpolated (table, configurations); values are params.
    return (
        f"INSERT INTO {TABLE} (id, language, day, title, summary, body, facets, "  # noqa: S608
        f"head, vector) VALUES (%(id)s, %(language)s, %(day)s, %(title)s, "
        f"%(summary)s, %(body)s, %(facets)s, {head}, {vector}) "
        "ON CONFLICT (id) DO UPDATE SET language = EXCLUDED.language, "
        "day = EXCLUDED.day, title = EXCLUDED.title, summary = EXCLUDED.summary, "
        "body = EXCLUDED.body, facets = EXCLUDED.facets, head = EXCLUDED.head, "
        "vector = EXCLUDED.vector"
    )


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresBackend(SearchBackend):
    """Search backend on PostgreSQL full-text search (see the module docstring)."""

    name = "postgresql"

    def __init__(self, *, index_dir: str | None = None, using: str = "default"):
        self.using = using

    def _cursor(self):
        return connections[self.using].cursor()

    # Writing -----------------------------------------------------------------

    def _row(self, doc: IndexDoc) -> dict:
        facets = sorted(
            {
                f"{key}={value}"
                for key in FACET_KEYS
                for value in doc.facets.get(key, ())
                if value
            }
        )
        return {
            "id": doc.id,
            "language": doc.language or "",
            "day": (doc.date - EPOCH).days if doc.date else None,
            "title": doc.title,
            "summary": doc.summary,
            "body": doc.body,
            "facets": facets,
            "t": index_text(doc.title),
            "s": index_text(doc.summary),
            "b": index_text(doc.body),
        }

    def _write(self, batch: list[IndexDoc]) -> None:
        by_config: dict[str, list[dict]] = {}
        for doc in batch:
            config = CONFIGS.get((doc.language or "").lower(), "simple")
            by_config.setdefault(config, []).append(self._row(doc))
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            for config, rows in by_config.items():
                cursor.executemany(_upsert_sql(config), rows)

    def index(self, docs: Iterable[IndexDoc], *, commit: bool = True) -> int:
        """Add or replace documents (by id), in transactions of BATCH rows
        (committed with the database's: `commit` does not apply)."""
        written, batch = 0, []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= BATCH:
                self._write(batch)
                written += len(batch)
                batch = []
        if batch:
            self._write(batch)
            written += len(batch)
        return written

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id."""
        ids = [int(i) for i in ids]
        with self._cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = ANY(%s)", [ids])  # noqa: S608

    def clear(self) -> None:
        """Remove every document."""
        with self._cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")

    def count(self) -> int:
        """The number of documents indexed."""
        with self._cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            return cursor.fetchone()[0]

    # Reading -----------------------------------------------------------------

    def _phrase(self, phrase: Phrase, params: list) -> str:
        if len(phrase.tokens) == 1:
            lexeme = _lexeme(phrase.tokens[0])
            parts = ["to_tsquery('simple', %s)"] + [
                f"to_tsquery('{config}', %s)" for config in STEMMERS
            ]
            params.extend([lexeme] * len(parts))
            return "(" + " || ".join(parts) + ")"
        params.append(" <-> ".join(_lexeme(t) for t in phrase.tokens))
        return "to_tsquery('simple', %s)"

    def _tsquery(self, query: ParsedQuery, params: list) -> str:
        groups = [
            "(" + " || ".join(self._phrase(p, params) for p in group) + ")"
            for group in query.must
        ]
        expr = " && ".join(groups)
        for phrase in query.must_not:
            expr += f" && !!{self._phrase(phrase, params)}"
        return expr

    def _where(self, query: ParsedQuery, request: SearchRequest, column: str):
        params: list = []
        conditions = []
        if not query.blank:
            conditions.append(f"{column} @@ ({self._tsquery(query, params)})")
        for key, values in request.filters.items():
            conditions.append("facets && %s::text[]")
            params.append([f"{key}={v}" for v in values])
        return (" AND ".join(conditions) or "TRUE"), params

    def _search(self, query: ParsedQuery, request: SearchRequest):
        where, params = self._where(query, request, "vector")
        offset = (request.page - 1) * request.per_page
        limit = request.per_page
        with self._cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)  # noqa: S608
            total = cursor.fetchone()[0]
            counts: dict[str, dict[str, int]] = {key: {} for key in FACET_KEYS}
            if request.facets and total:
                cursor.execute(
                    f"SELECT f, count(*) FROM {TABLE}, unnest(facets) f "  # noqa: S608
                    f"WHERE {where} GROUP BY f",
                    params,
                )
                for value, n in cursor.fetchall():
                    key, _sep, val = value.partition("=")
                    if key in counts:
                        counts[key][val] = n
            if not total or offset >= total:
                return [], total, counts, True
            if request.sort == "date" or query.blank:
                cursor.execute(
                    f"SELECT id, 0.0 FROM {TABLE} WHERE {where} "  # noqa: S608
                    "ORDER BY day DESC NULLS LAST, id DESC LIMIT %s OFFSET %s",
                    [*params, limit, offset],
                )
                return cursor.fetchall(), total, counts, True
            tsq_params: list = []
            tsq = self._tsquery(query, tsq_params)
            rows = None
            if total > RANK_ALL_BELOW:
                head_where, head_params = self._where(query, request, "head")
                cursor.execute(
                    f"SELECT id, ts_rank(vector, {tsq}) AS r FROM {TABLE} "  # noqa: S608
                    f"WHERE {head_where} ORDER BY r DESC, id LIMIT %s OFFSET %s",
                    [*tsq_params, *head_params, limit, offset],
                )
                rows = cursor.fetchall()
                if len(rows) < limit:
                    rows = None
            if rows is None:
                cursor.execute(
                    f"SELECT id, ts_rank(vector, {tsq}) AS r FROM {TABLE} "  # noqa: S608
                    f"WHERE {where} ORDER BY r DESC, id LIMIT %s OFFSET %s",
                    [*tsq_params, *params, limit, offset],
                )
                rows = cursor.fetchall()
        return [(int(i), float(r)) for i, r in rows], total, counts, True

    def _texts(self, ids: list[int]) -> dict[int, tuple[str, str, str]]:
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT id, title, summary, left(body, %s) FROM {TABLE} "  # noqa: S608
                "WHERE id = ANY(%s)",
                [BODY_CHARS, ids],
            )
            return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}
