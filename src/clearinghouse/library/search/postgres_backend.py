"""PostgreSQL full-text search: a stored, weighted tsvector with a GIN index.

The table `library_search_entry` (created by this package's migrations) keeps,
per document, the tsvector of its normalized text (`text.py`, the same tokens
as the embedded engine: Chinese as bigrams, Arabic and Latin folded), weighted
title A / summary B / body D. Each part is indexed twice: with the `simple`
configuration (exact words, phrases, no stop words) and with the document
language's own configuration (stems) where PostgreSQL has one; a query word
matches its exact form or its stem in any of the five stemming
configurations. The entry is narrow (id, language, day, facets, bucket and
the vector, which PostgreSQL keeps out of line): the texts shown in snippets
live in `library_search_text`, read for a page's hits only, so that counting
or faceting many matches reads a small heap (about 4 KB of text a document
would otherwise sit in every row the count visits).

Ranking every match with ts_rank reads every match's vector (out of line, in
TOAST), which does not scale: a search matching more than
SEARCH_PG_RANK_SAMPLE documents (default 5,000) ranks the matches in enough
sample buckets for about that many, a fixed pseudo-random sample, and ranks
every match only for a page beyond them. Facet values
are a text[] of "key=value" with a GIN index, for filters and counts.
`bucket` is the document's sample bucket (`base.sample_bucket`, B-tree
indexed): the facets of a search matching more than SEARCH_EXACT_FACETS_UP_TO
documents are counted over the matches in a few buckets and scaled up, as
the embedded engine does; the total is always exact.
"""

import concurrent.futures
import itertools
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.db import connections, transaction

from .base import (
    FACET_KEYS,
    SAMPLE_BUCKETS,
    IndexDoc,
    SearchBackend,
    SearchRequest,
    buckets_for,
    sample_bucket,
    scale_sampled,
)
from .query import ParsedQuery, Phrase
from .text import index_text

logger = logging.getLogger(__name__)

TABLE = "library_search_entry"
TEXTS = "library_search_text"
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
# Above this many matches (setting SEARCH_PG_RANK_SAMPLE; 0: rank every
# match), a search ranks the matches in enough sample buckets for about this
# many, and every match only for a page beyond them (see the module docstring).
RANK_SAMPLE = 5_000
BATCH = 1_000
BODY_CHARS = 8_000
EPOCH = date(1970, 1, 1)


def _part(param: str, weight: str, config: str) -> str:
    simple = f"to_tsvector('simple', {param})"
    if config != "simple":
        simple = f"({simple} || to_tsvector('{config}', {param}))"
    return f"setweight({simple}, '{weight}')"


def _upsert_sql(config: str) -> str:
    vector = " || ".join(
        _part(param, weight, config)
        for param, weight in (("%(t)s", "A"), ("%(s)s", "B"), ("%(b)s", "D"))
    )
    # Only constants are interpolated (table, configurations); values are params.
    return (
        f"INSERT INTO {TABLE} (id, language, day, facets, bucket, vector) "  # noqa: S608
        "VALUES (%(id)s, %(language)s, %(day)s, %(facets)s, %(bucket)s, "
        f"{vector}) ON CONFLICT (id) DO UPDATE SET language = EXCLUDED.language, "
        "day = EXCLUDED.day, facets = EXCLUDED.facets, bucket = EXCLUDED.bucket, "
        "vector = EXCLUDED.vector"
    )


TEXTS_SQL = (
    f"INSERT INTO {TEXTS} (id, title, summary, body) "  # noqa: S608
    "VALUES (%(id)s, %(title)s, %(summary)s, %(body)s) ON CONFLICT (id) DO UPDATE "
    "SET title = EXCLUDED.title, summary = EXCLUDED.summary, body = EXCLUDED.body"
)


def _batches(docs: Iterable[IndexDoc]):
    batch = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresBackend(SearchBackend):
    """Search backend on PostgreSQL full-text search (see the module docstring)."""

    name = "postgresql"

    def __init__(self, *, index_dir: str | None = None, using: str = "default"):
        super().__init__()
        self.using = using
        self.rank_sample = int(getattr(settings, "SEARCH_PG_RANK_SAMPLE", RANK_SAMPLE))

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
            "bucket": sample_bucket(doc.id),
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
                cursor.executemany(TEXTS_SQL, rows)

    def index(self, docs: Iterable[IndexDoc], *, commit: bool = True) -> int:
        """Add or replace documents (by id), in transactions of BATCH rows
        (committed with the database's: `commit` does not apply).

        Outside a transaction, a stream of more than one batch (a reindex, a
        bulk import) is written by SEARCH_PG_WRITERS threads, each with its
        own connection: the server computes the vectors of several batches
        at once, on as many of its cores. Inside one (the caller's writes
        not yet committed), every batch is written on the caller's
        connection, in its transaction.
        """
        batches = _batches(docs)
        head = list(itertools.islice(batches, 2))
        writers = int(getattr(settings, "SEARCH_PG_WRITERS", 2))
        if len(head) < 2 or writers < 2 or connections[self.using].in_atomic_block:
            written = 0
            for batch in itertools.chain(head, batches):
                self._write(batch)
                written += len(batch)
            return written
        return self._write_in_threads(head, batches, writers)

    def _write_in_threads(self, head: list, batches, writers: int) -> int:
        def write(batch: list[IndexDoc]) -> int:
            try:
                self._write(batch)
            finally:
                connections[self.using].close()
            return len(batch)

        written = 0
        with concurrent.futures.ThreadPoolExecutor(writers) as pool:
            running = {pool.submit(write, batch) for batch in head}
            for batch in batches:
                if len(running) >= 2 * writers:
                    done, running = concurrent.futures.wait(
                        running, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    written += sum(future.result() for future in done)
                running.add(pool.submit(write, batch))
            written += sum(future.result() for future in running)
        return written

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id."""
        ids = [int(i) for i in ids]
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            for table in (TABLE, TEXTS):
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])  # noqa: S608

    def clear(self) -> None:
        """Remove every document."""
        with self._cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}, {TEXTS}")

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

    @contextmanager
    def _search_cursor(self):
        """A cursor whose statements read through the indexes.

        The planner does not count the cost of reading a row's out-of-line
        (TOAST) tsvector, so for a word in a few percent of the rows it
        chose a sequential scan that reads every vector: 760 ms against
        79 ms through the GIN index at 100,000 documents (decision 0005).
        Sequential scans are therefore off for the search's statements: in
        its own transaction, which ends the setting with it, or inside the
        caller's, where the caller's value is set back afterwards.
        """
        inside = connections[self.using].in_atomic_block
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            if inside:
                cursor.execute("SELECT current_setting('enable_seqscan')")
                previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            try:
                yield cursor
            finally:
                if inside:
                    cursor.execute(
                        "SELECT set_config('enable_seqscan', %s, true)", [previous]
                    )

    def _search(self, query: ParsedQuery, request: SearchRequest):
        where, params = self._where(query, request, "vector")
        offset = (request.page - 1) * request.per_page
        limit = request.per_page
        with self._search_cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)  # noqa: S608
            total = cursor.fetchone()[0]
            counts: dict[str, dict[str, int]] = {key: {} for key in FACET_KEYS}
            exact = True
            if request.facets and total:
                exact = self._facet_counts(cursor, where, params, total, counts)
            if not total or offset >= total:
                return [], total, counts, exact
            if request.sort == "date" or query.blank:
                cursor.execute(
                    f"SELECT id, 0.0 FROM {TABLE} WHERE {where} "  # noqa: S608
                    "ORDER BY day DESC NULLS LAST, id DESC LIMIT %s OFFSET %s",
                    [*params, limit, offset],
                )
                return cursor.fetchall(), total, counts, exact
            tsq_params: list = []
            tsq = self._tsquery(query, tsq_params)
            args = [*tsq_params, *params, limit, offset]

            def rank(sample: str = "") -> list:
                cursor.execute(
                    f"SELECT id, ts_rank(vector, {tsq}) AS r FROM {TABLE} "  # noqa: S608
                    f"WHERE {where}{sample} ORDER BY r DESC, id LIMIT %s OFFSET %s",
                    args,
                )
                return cursor.fetchall()

            rows = None
            buckets = self.rank_buckets(total)
            if buckets < SAMPLE_BUCKETS:
                rows = rank(f" AND bucket < {int(buckets)}")
                if len(rows) < limit:  # a page beyond the sample
                    rows = None
            if rows is None:
                rows = rank()
        return [(int(i), float(r)) for i, r in rows], total, counts, exact

    def rank_buckets(self, total: int) -> int:
        """How many sample buckets (of SAMPLE_BUCKETS) to rank the `total`
        matches of a search in: all up to `rank_sample` matches (or when it
        is 0), else enough for about `rank_sample` of them."""
        return buckets_for(total, self.rank_sample)

    def _facet_counts(self, cursor, where: str, params: list, total: int, counts):
        """Count the matches' facet values into `counts`, every match or (a
        broad search) those in a few sample buckets, scaled up; return
        whether the counts are exact."""
        buckets = self.sample_buckets(total)
        sample = ""
        if buckets < SAMPLE_BUCKETS:
            sample = f" AND bucket < {int(buckets)}"
        cursor.execute(
            f"SELECT f, count(*) FROM {TABLE}, unnest(facets) f "  # noqa: S608
            f"WHERE {where}{sample} GROUP BY f",
            params,
        )
        for value, n in cursor.fetchall():
            key, _sep, val = value.partition("=")
            if key in counts:
                counts[key][val] = n
        return scale_sampled(counts, buckets)

    def _texts(self, ids: list[int]) -> dict[int, tuple[str, str, str]]:
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT id, title, summary, left(body, %s) FROM {TEXTS} "  # noqa: S608
                "WHERE id = ANY(%s)",
                [BODY_CHARS, ids],
            )
            return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}
