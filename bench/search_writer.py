"""Benchmark bench/search_writer: the embedded index's writer, one thread or two.

Measures what the incremental step of bench/search costs tantivy itself: the
benchmark's documents, prepared once (normalized, stored source), added to a
fresh index through the backend's document layout in batches of 1,000, each
batch committed, with the merges waited for at the end. Reports per writer
thread count the rate and the CPU time per document of this process (every
thread, tantivy's included), the count that stays comparable on a shared
machine. The variants alternate, ROUNDS times each. No target: it informs
`WRITER_THREADS` (decision record 0012).

Run: `.venv/bin/python -m bench.search_writer`. Sizes: BENCH_WRITER_DOCS
(default 12,000 per round), BENCH_WRITER_ROUNDS (default 3).
"""

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

DOCS = int(os.environ.get("BENCH_WRITER_DOCS", "12000"))
ROUNDS = int(os.environ.get("BENCH_WRITER_ROUNDS", "3"))
BATCH = 1_000
THREADS = (1, 2)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    """Index the same prepared batches with each thread count; print figures."""
    from bench.search import Corpus, _setup_django

    workdir = Path(tempfile.mkdtemp(prefix="bench-writer-"))
    try:
        _setup_django(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        from clearinghouse.library.search import tantivy_backend as tb

        docs = list(Corpus(DOCS).documents(0, DOCS))
        prepared = [tb._prepare((d.title, d.summary, d.body)) for d in docs]
        totals = {threads: [0.0, 0.0] for threads in THREADS}
        for _round in range(ROUNDS):
            for threads in THREADS:
                directory = workdir / f"index-{threads}"
                shutil.rmtree(directory, ignore_errors=True)
                backend = tb.TantivyBackend(index_dir=directory)
                writer = backend.index_.writer(tb.WRITER_HEAP, threads)
                cpu, start = _cpu(), time.perf_counter()
                for first in range(0, DOCS, BATCH):
                    end = first + BATCH
                    batch = zip(docs[first:end], prepared[first:end], strict=True)
                    for doc, texts in batch:
                        writer.add_document(backend._document(doc, texts))
                    writer.commit()
                wall = time.perf_counter() - start
                writer.wait_merging_threads()
                totals[threads][0] += wall
                totals[threads][1] += _cpu() - cpu
                del writer, backend
        results = {
            f"threads_{threads}": {
                "docs_s": round(ROUNDS * DOCS / wall),
                "cpu_ms_per_doc": round(1000 * cpu / (ROUNDS * DOCS), 3),
            }
            for threads, (wall, cpu) in totals.items()
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps({"documents": DOCS, "rounds": ROUNDS, **results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
