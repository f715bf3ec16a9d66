"""What a library search request costs in Python, on a kept corpus: a profiling aid.

Not a benchmark with a target (that is `bench/search`): it builds the
benchmark's corpus once into BENCH_SEARCH_DIR (rows and embedded index; kept,
so later runs start at once; default the temporary directory's
bench-search-<size>), then sends `bench/search`'s queries to
`/api/v1/documents?q=…&mode=words` through the project's WSGI application in
this process (no socket) and prints, per pass, wall-clock and CPU time per
request (p50 / p95). CPU time (`time.process_time`) is not inflated by a wait
for a core, so on a shared machine it compares two versions where wall-clock
time cannot.

Run: `BENCH_SEARCH_DOCS=30000 BENCH_SEARCH_DIR=/tmp/corpus-30k
.venv/bin/python -m bench.search_requests [passes]` (default 3 passes);
BENCH_PROFILE=cumulative (or tottime) profiles one pass with cProfile instead.
"""

import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import search


def _build(workdir: Path, size: int):
    """The embedded backend with the corpus's rows and index (built if missing)."""
    search._setup_django(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
    from django.conf import settings
    from django.core.management import call_command

    from clearinghouse.library.models import Document
    from clearinghouse.library.search import get_backend

    settings.SEARCH_BACKEND = "tantivy"
    call_command("migrate", verbosity=0)
    backend = get_backend()
    if backend.count() != size or Document.objects.count() != size:
        print(f"building {size:,} documents in {workdir}", flush=True)
        Document.objects.all().delete()
        backend.clear()
        feed = search._Feed(rows=search._Rows())
        corpus = search.Corpus(size)
        for first in range(0, size, 50_000):
            backend.index(feed(corpus.documents(first, min(size, first + 50_000))))
        backend.close_writer()
    return backend


def _caller():
    """A function sending one query to the API in process; it returns the body."""
    from clearinghouse.wsgi import application

    def call(q: str) -> bytes:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/v1/documents",
            "QUERY_STRING": urlencode({"q": q, "mode": "words"}),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        status = []
        body = b"".join(application(environ, lambda s, _h, *_a: status.append(s)))
        assert status[0].startswith("200"), (q, status, body[:300])  # noqa: S101
        return body

    return call


def _p(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    return f"p50 {statistics.median(values):.2f} / p95 {p95:.2f} ms"


def main() -> int:
    """Build or reuse the corpus, then time (or profile) the queries."""
    size = int(os.environ.get("BENCH_SEARCH_DOCS", "30000"))
    default = Path(tempfile.gettempdir()) / f"bench-search-{size}"
    workdir = Path(os.environ.get("BENCH_SEARCH_DIR") or default)
    workdir.mkdir(parents=True, exist_ok=True)
    _build(workdir, size)
    # The requests run in a thread of their own, as under `bench/search`'s
    # server: this thread's connection stays open, as other processes' do
    # beside a web server, so a request's connection is never SQLite's last.
    worker = threading.Thread(target=_measure, args=(size,))
    worker.start()
    worker.join()
    return 0


def _measure(size: int) -> None:
    """Send the queries after the warm-up; print each pass's times, or a profile."""
    queries = search.Corpus(size).queries()
    call = _caller()
    for q in queries[: search.WARMUP]:
        call(q)
    measured = queries[search.WARMUP :]
    order = os.environ.get("BENCH_PROFILE")
    if order:
        profile = cProfile.Profile()
        profile.runcall(lambda: [call(q) for q in measured])
        pstats.Stats(profile).sort_stats(order).print_stats(50)
        return
    for n in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        wall, cpu = [], []
        for q in measured:
            start, start_cpu = time.perf_counter(), time.process_time()
            call(q)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(f"pass {n + 1}: wall {_p(wall)}; CPU {_p(cpu)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
