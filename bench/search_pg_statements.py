"""Where a PostgreSQL library search spends its time, statement by statement.

Not a benchmark with a target (that is `bench/search`): a profiling aid for the
PostgreSQL backend. With BENCH_PG_BUILD=1 it migrates the search tables and
indexes the first BENCH_SEARCH_PG_DOCS documents (default 100,000) of
`bench/search`'s corpus into the database of BENCH_SEARCH_PG_URL (its rows
stay, so later runs reuse them); then it runs 100 of that benchmark's queries
against the backend in this process (no HTTP) and prints the searches' p50 and
p95 and, per kind of statement (count, facets, ranking and texts), the sum and
median of their times, and the size of the entry table.

Run: `BENCH_PG_BUILD=1 BENCH_SEARCH_PG_URL=postgres://postgres@127.0.0.1:25432/benchpg
.venv/bin/python -m bench.search_pg_statements` (the server from
`scripts/scale-services start`, with a database `benchpg` created first).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import search

DOCS = int(os.environ.get("BENCH_SEARCH_PG_DOCS", "100000"))
KINDS = {"count(*)": "count", "f,": "facets", "id,": "ranking and texts"}


def main() -> int:
    """Build (if asked), run the queries, print the figures."""
    url = os.environ.get("BENCH_SEARCH_PG_URL", "")
    if not url:
        print("Set BENCH_SEARCH_PG_URL to a PostgreSQL database.", file=sys.stderr)
        return 2
    search._setup_django(url, Path(tempfile.mkdtemp(prefix="bench-pg-")))
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from clearinghouse.library.search import SearchRequest, get_backend

    settings.SEARCH_BACKEND = "postgresql"
    backend = get_backend()
    corpus = search.Corpus(1_000_000)
    if os.environ.get("BENCH_PG_BUILD"):
        call_command("migrate", "library_search", verbosity=0)
        backend.clear()
        start = time.perf_counter()
        backend.index(corpus.documents(0, DOCS))
        print(f"build: {DOCS / (time.perf_counter() - start):,.0f} documents/s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE library_search_entry")
    steps: dict[str, list[float]] = {}

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = KINDS.get(sql.split()[1], "")
            if kind:
                elapsed = (time.perf_counter() - start) * 1000
                steps.setdefault(kind, []).append(elapsed)

    times = []
    with connection.execute_wrapper(timed):
        for q in corpus.queries()[search.WARMUP : search.WARMUP + 100]:
            start = time.perf_counter()
            backend.search(SearchRequest(q=q))
            times.append((time.perf_counter() - start) * 1000)
    figures = search._percentiles(times)
    print(f"searches: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    for kind, values in steps.items():
        print(
            f"  {kind}: sum {sum(values):,.0f} ms, "
            f"median {statistics.median(values):.1f} ms"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('library_search_entry')")
        print(f"entry table heap: {cursor.fetchone()[0] / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
