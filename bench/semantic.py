"""Benchmark bench/semantic: embedding throughput and vector search at scale.

Targets:
- embedding 10,000 documents in ≤ 5 minutes on 2 cores: the real command,
  `clearinghouse reembed` (issues, then documents in batches through its pool
  of encoder processes, one BLAS thread each, then their issue suggestions),
  over documents whose title, summary and text come from the evaluation set;
- a semantic query over 1,000,000 stored vectors in ≤ 200 ms p95, through
  the library's query path (`semantic.selectors.search_vectors`: the
  process's matrix kept in step with the database, the partitioned search,
  the check that the documents found are published).

The 1,000,000 vectors are synthetic (unit vectors clustered around 2,000
topics, as real documents cluster by subject), written with their documents
straight into the database tables in bulk; the first query builds the
process's matrix from them (reported as the build time). Also reported: the
index's memory and the process's peak, recall@10 of the partitioned search
against exhaustive search over the same matrix.

Run: `.venv/bin/python -m bench semantic`. Smaller runs:
SEMANTIC_BENCH_DOCS=1000 SEMANTIC_BENCH_VECTORS=100000 (0 skips that part);
SEMANTIC_BENCH_WORKERS sets the encoder processes (2 by default).
"""

import io
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# One BLAS thread in this process too, before numpy loads.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from bench.common import report  # noqa: E402

DOCS = int(os.environ.get("SEMANTIC_BENCH_DOCS", 10_000))
VECTORS = int(os.environ.get("SEMANTIC_BENCH_VECTORS", 1_000_000))
WORKERS = int(os.environ.get("SEMANTIC_BENCH_WORKERS", 2))
QUERIES = 200
RECALL_QUERIES = 20
TARGETS = {"embed_10k_s": 300.0, "query_p95_ms": 200.0}
INSERT_BATCH = 20_000


def _setup(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.SEARCH_INDEX_DIR = workdir / "search"
    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    if DOCS:  # the issues, embedded and suggested by the command
        call_command("load_reference_data", verbosity=0, stdout=quiet)
        call_command("load_forum2004", verbosity=0, stdout=quiet)


def _documents(n: int) -> list[int]:
    """n published documents: a title, a summary and a body of 3–6 paragraphs."""
    from bench.crosslingual import data
    from clearinghouse.library.models import Document, DocumentStatus

    docs = data.documents()
    rng = random.Random(2004)
    made = []
    for number in range(n):
        first = rng.choice(docs)
        same = [d for d in docs if d.language == first.language]
        body = "\n\n".join(d.text for d in rng.sample(same, rng.randint(3, 6)))
        made.append(
            Document(
                title=first.title,
                summary=first.text,
                body=body,
                language=first.language,
                status=DocumentStatus.PUBLISHED,
                doc_type="report",
                identifier=f"bench:{number}",
            )
        )
    # bulk_create: no save signal, so nothing is queued; the command embeds.
    return [d.pk for d in Document.objects.bulk_create(made, batch_size=2000)]


def bench_embedding() -> dict:
    from django.core.management import call_command

    from clearinghouse.semantic.models import DocumentVector

    _documents(DOCS)
    out = io.StringIO()
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    call_command("reembed", workers=WORKERS, stdout=out)
    elapsed = time.perf_counter() - start
    # The workers have exited: their time is in RUSAGE_CHILDREN.
    cpu = _cpu_seconds() - cpu_before
    embedded = DocumentVector.objects.count()
    assert embedded == DOCS, (embedded, out.getvalue()[-500:])
    return {
        "documents": DOCS,
        "workers": WORKERS,
        "seconds": round(elapsed, 1),
        "per_second": round(DOCS / elapsed, 1),
        "embed_10k_s": round(elapsed * 10_000 / DOCS, 1),
        # What the run cost in processor time, whatever else ran: on two
        # cores of its own it would take about half of this, per 10,000.
        "cpu_seconds": round(cpu, 1),
        "cpu_seconds_per_10k": round(cpu * 10_000 / DOCS, 1),
        "share_of_the_cores": round(cpu / elapsed / (os.cpu_count() or 1), 2),
    }


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _synthetic(n: int, rng):
    import numpy as np

    centres = rng.standard_normal((2000, 512)).astype(np.float32)
    vectors = np.empty((n, 512), dtype=np.float16)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        block = centres[rng.integers(0, 2000, m)]
        block += 0.5 * rng.standard_normal((m, 512), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors[start : start + m] = block
    return vectors


def _store_vectors(vectors) -> None:
    """Documents and their vectors written straight into the tables."""
    from django.db import connection, transaction
    from django.utils import timezone

    from clearinghouse.library.models import Document, DocumentStatus
    from clearinghouse.semantic import encoder
    from clearinghouse.semantic.models import DocumentVector

    model = encoder.model_name()
    template = Document.objects.create(
        title="Synthetic", status=DocumentStatus.PUBLISHED, doc_type="report"
    )
    table = Document._meta.db_table
    columns = [
        f.column
        for f in Document._meta.concrete_fields
        if f.column not in ("id", "identifier")
    ]
    names = ", ".join(columns)
    base = template.pk
    with transaction.atomic(), connection.cursor() as cursor:
        # Table and column names from the models' metadata, values as parameters.
        copies = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "  # noqa: S608
            f"WHERE i < %s) INSERT INTO {table} (id, identifier, {names}) "
            f"SELECT %s + i, 'bench:v' || i, {names} FROM {table}, n "
            f"WHERE {table}.id = %s"
        )
        cursor.execute(copies, [len(vectors), base, base])
        # Embedded one after the other, a microsecond apart, as by the worker.
        first = timezone.now() - timedelta(microseconds=len(vectors))
        at = connection.ops.adapt_datetimefield_value
        vector_table = DocumentVector._meta.db_table
        for start in range(0, len(vectors), INSERT_BATCH):
            block = vectors[start : start + INSERT_BATCH]
            cursor.executemany(
                f"INSERT INTO {vector_table} "  # noqa: S608
                "(document_id, model, text_hash, vector, embedded_at) "
                "VALUES (%s, %s, '', %s, %s)",
                [
                    (
                        base + 1 + start + n,
                        model,
                        row.astype("<f2").tobytes(),
                        at(first + timedelta(microseconds=start + n)),
                    )
                    for n, row in enumerate(block)
                ],
            )


def _ms(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 1),
    }


def bench_search() -> dict:
    import numpy as np

    from clearinghouse.semantic import encoder, selectors, store
    from clearinghouse.semantic.models import DocumentVector
    from clearinghouse.semantic.vectors import _scores, _top

    DocumentVector.objects.all().delete()
    store.forget()
    rng = np.random.default_rng(1)
    vectors = _synthetic(VECTORS, rng)
    start = time.perf_counter()
    _store_vectors(vectors)
    insert_s = time.perf_counter() - start
    picks = rng.integers(0, VECTORS, QUERIES)
    noise = rng.standard_normal((QUERIES, 512), dtype=np.float32) / np.sqrt(512)
    # a query near a document, as a question is near the text that answers it
    queries = vectors[picks].astype(np.float32) + 0.5 * noise
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    del vectors
    start = time.perf_counter()
    selectors.search_vectors(queries[0], 10)  # builds the process's matrix
    build_s = time.perf_counter() - start
    timings = []
    for query in queries:
        start = time.perf_counter()
        found = selectors.search_vectors(query, 10)
        timings.append((time.perf_counter() - start) * 1000)
        assert len(found) == 10
    index = store.document_index(encoder.model_name())
    recalls = []
    for query in queries[:RECALL_QUERIES]:
        exact = _top(_scores(index.codes, index.scale, query), 10)
        found = {m.id for m in selectors.search_vectors(query, 10)}
        recalls.append(len(found & set(index.ids[exact].tolist())) / 10)
    times = _ms(timings)
    return {
        "vectors": len(index),
        "insert_s": round(insert_s, 1),
        "build_s": round(build_s, 1),
        "query_p50_ms": times["p50"],
        "query_p95_ms": times["p95"],
        "recall_at_10_vs_exhaustive": round(float(np.mean(recalls)), 3),
        "index_mb": round(index.nbytes / 1e6, 1),
        "peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "lists": 0 if index.centroids is None else len(index.centroids),
        "nprobe": index.nprobe,
    }


def main() -> int:
    """Run both measures; print the figures; exit 1 if a target is missed."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-semantic-"))
    # Timings depend on what else runs: say how busy the machine was.
    results: dict = {
        "load_before": round(os.getloadavg()[0], 1),
        "cores": os.cpu_count(),
    }
    ok = {}
    try:
        _setup(workdir)
        if DOCS:
            results["embedding"] = embedding = bench_embedding()
            print(
                f"Embedding {DOCS} documents with {WORKERS} processes: "
                f"{embedding['seconds']} s ({embedding['per_second']}/s)",
                flush=True,
            )
            target = TARGETS["embed_10k_s"]
            ok[f"embedding 10,000 documents ≤ {target:.0f} s"] = (
                embedding["embed_10k_s"] <= target
            )
            results["load_between"] = round(os.getloadavg()[0], 1)
        if VECTORS:
            results["search"] = search = bench_search()
            target = TARGETS["query_p95_ms"]
            ok[f"query p95 over {VECTORS:,} vectors ≤ {target:.0f} ms"] = (
                search["query_p95_ms"] <= target
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["load_after"] = round(os.getloadavg()[0], 1)
    return 0 if report("semantic", results, ok) else 1


if __name__ == "__main__":
    sys.exit(main())
