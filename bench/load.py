"""Benchmark bench/load: the highest request rate the site serves with a p95
latency ≤ 200 ms and no error, while a harvest runs, on SQLite and on
PostgreSQL + Redis.

For each backend: a fresh installation (migrations, the reference data, the
Forum 2004 dataset and BENCH_LOAD_DOCUMENTS generated library documents,
indexed), served by gunicorn with 2 workers as `make serve` does, with
`clearinghouse worker` harvesting a loopback OAI-PMH repository of 100,000
records the whole time. A load generator on loopback (asyncio + httpx, an
open model: requests leave at a fixed rate whatever the answers' delay, and a
latency counts from the moment its request was due) sends a mix of public
pages (matrix, issue pages in two languages, events, library search) and API
calls (issues, documents search, events, matrix) at increasing rates, while
signed-in participants post contributions to an open consultation at
BENCH_LOAD_POSTS_PER_S (default 1; each post reads the consultation's page
for its form, then submits it, as a browser does). A step passes with p95 ≤
200 ms over the reads and 0 errors (a read answered other than 200, a post
not redirected, or no answer within 10 s); the rates stop rising after the
second step that fails, or at a step with errors or a p95 above 1 s. The
posts' own latencies are reported per step.
PostgreSQL and Redis are throwaway servers started by scripts/scale-services
(ports SCALE_PG_PORT / SCALE_REDIS_PORT, default 25532 / 26479).

Targets (exit 1 when one is missed): at least the lowest rate passes on each
backend; the harvest makes progress during the load; no "database is locked"
in any log on SQLite.

Run: `.venv/bin/python -m bench load`. Quicker: `BENCH_LOAD_QUICK=1` (short
steps, 500 documents); one backend: `BENCH_LOAD_BACKENDS=sqlite` (or
`postgresql`); PostgreSQL connection options: `BENCH_LOAD_PG_QUERY` (see
below). Results in bench/results/load.json.
"""

import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx

from bench import harvest as oai_bench
from bench.common import report

# Pages of 50 records: the harvest commits (and shows progress) every page.
oai_bench.PAGE = 50

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUICK = os.environ.get("BENCH_LOAD_QUICK", "") not in ("", "0")
BACKENDS = os.environ.get("BENCH_LOAD_BACKENDS", "sqlite,postgresql").split(",")
DOCUMENTS = int(os.environ.get("BENCH_LOAD_DOCUMENTS", "500" if QUICK else "5000"))
RATES = [1, 2, 5, 10] if QUICK else [1, 2, 5, 10, 20, 40, 80, 160]
STEP_SECONDS = 8 if QUICK else 30
# Connection options in DATABASE_URL's query, over the defaults (persistent
# connections, decision 0015), e.g. a pool: BENCH_LOAD_PG_QUERY="pool=true", or
# per-request connections: BENCH_LOAD_PG_QUERY="conn_max_age=0".
PG_QUERY = os.environ.get("BENCH_LOAD_PG_QUERY", "")
P95_TARGET_MS = 200
POSTS_PER_S = float(os.environ.get("BENCH_LOAD_POSTS_PER_S", "1"))
PARTICIPANTS = 20
PASSWORD = "bench-Load-pass-phrase-42"  # noqa: S105 (throwaway accounts)
TIMEOUT = 10.0
WARM_UP_TIMEOUT = 120.0
LOCKED = "database is locked"

SETUP = """
import json
from datetime import timedelta
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from clearinghouse.actors.models import Institution
from clearinghouse.consultations.models import Consultation, Question, QuestionKind
from clearinghouse.core.models import Profile
from clearinghouse.events.models import Event
from clearinghouse.federation.models import Source, SourceKind, SourceStatus
from clearinghouse.library import indexing
from clearinghouse.library.models import Document, DocumentStatus
from clearinghouse.taxonomy.models import Issue

for command in ("migrate", "load_reference_data", "load_forum2004"):
    call_command(command, verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
words = ["internet", "governance", "spam", "domain", "names", "security",
         "privacy", "development", "capacity", "building", "access", "costs"]
documents = Document.objects.bulk_create(
    Document(
        title=" ".join(words[(n + k) % len(words)] for k in range(5)) + f" {{n}}",
        summary=f"A generated study of " + words[n % len(words)] + f", number {{n}}.",
        language="en", status=DocumentStatus.PUBLISHED, doc_type="report",
        identifier=f"bench:load:{{n}}",
    )
    for n in range({documents})
)
indexing.index_documents([d.pk for d in documents])
source = Source.objects.create(
    name="Bench repository", kind=SourceKind.OAI_PMH, url={url!r},
    institution=Institution.objects.order_by("pk").first(),
    status=SourceStatus.ACTIVE,
)
now = timezone.now()
consultation = Consultation.objects.create(
    slug="bench-load", title="Bench load consultation",
    background="Contributions posted during the load.",
    opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
    working_languages=["en", "fr"],
)
question = Question.objects.create(
    consultation=consultation, kind=QuestionKind.OPEN,
    text="What keeps people from taking part?", order=1,
)
for n in range({participants}):
    user = User.objects.create_user(
        f"bench-load-{{n}}", f"bench-load-{{n}}@example.org", {password!r}
    )
    Profile.objects.create(
        user=user, email_verified_at=now, stakeholder_group="academia"
    )
print(json.dumps({{
    "consultation": consultation.slug, "question": question.pk,
    "issues": list(Issue.objects.order_by("pk").values_list("slug", flat=True)[:8]),
    "events": list(Event.objects.order_by("pk").values_list("pk", flat=True)[:4]),
}}))
"""


class _CountingHandler(oai_bench._Handler):
    pages = 0

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        super().do_GET()
        type(self).pages += 1


def _oai_server() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _run(env: dict, *args: str, timeout: float = 3600) -> str:
    result = subprocess.run(
        [str(BIN / "clearinghouse"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"{args[0]} failed: {result.stderr[-3000:]}")
    return result.stdout


def _context_of(needle: str, logs: dict[str, Path], before: int = 12) -> list[str]:
    """The log lines before the first line holding `needle` (its traceback)."""
    for what, path in logs.items():
        if not path.exists():
            continue
        lines = path.read_text(errors="replace").splitlines()
        for n, line in enumerate(lines):
            if needle in line:
                return [f"{what}:"] + lines[max(0, n - before) : n + 1]
    return []


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _urls(base: str, data: dict) -> list[str]:
    issues, events = data["issues"], data["events"]
    pages = ["/en/matrix/", "/en/events/", "/api/v1/matrix", "/api/v1/issues"]
    pages += [f"/en/issues/{slug}/" for slug in issues[:4]]
    pages += [f"/fr/issues/{slug}/" for slug in issues[4:6]]
    pages += [f"/en/events/{pk}/" for pk in events[:2]]
    pages += ["/api/v1/events"]
    for word in ("governance", "spam", "privacy", "domain names"):
        pages += [f"/en/library/?q={word}", f"/api/v1/documents?q={word}"]
    return [base + page for page in pages]


# The hidden fields of a page's forms, as a browser would send them back.
_HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|started)" value="([^"]*)"')


def _form_fields(html: str) -> dict:
    fields = {}
    for name, value in _HIDDEN.findall(html):
        fields.setdefault(name, value)
    return fields


async def _signed_in(base: str, n: int) -> httpx.AsyncClient | None:
    """A participant's browser, signed in through the login form (None if
    the sign-in failed: reported, the others post)."""
    client = httpx.AsyncClient(base_url=base, timeout=TIMEOUT)
    login = "/en/accounts/login/"
    page = await client.get(login, timeout=WARM_UP_TIMEOUT)
    response = await client.post(
        login,
        data={
            **_form_fields(page.text),
            "username": f"bench-load-{n}",
            "password": PASSWORD,
        },
        headers={"Referer": base + login},
    )
    if response.status_code != 302:
        print(f"  sign-in of bench-load-{n} answered {response.status_code}")
        await client.aclose()
        return None
    return client


async def _post(poster: httpx.AsyncClient, data: dict, n: int) -> str | None:
    """Read the consultation's page, then post a contribution; None if it worked."""
    page_url = f"/en/consultations/{data['consultation']}/"
    action = f"{page_url}questions/{data['question']}/contribute/"
    page = await poster.get(page_url)
    if page.status_code != 200:
        return f"{page.status_code} {page_url}"
    words = ("access", "cost", "language", "skills", "bandwidth", "trust")
    body = f"Contribution {n}: " + " ".join(words[(n + k) % 6] for k in range(12))
    response = await poster.post(
        action,
        data={**_form_fields(page.text), "website": "", "body": body},
        headers={"Referer": str(poster.base_url) + page_url},
    )
    return None if response.status_code == 302 else f"{response.status_code} {action}"


async def _step(
    client: httpx.AsyncClient,
    urls: list[str],
    rate: float,
    posters: list[httpx.AsyncClient],
    data: dict,
) -> dict:
    loop = asyncio.get_running_loop()
    count = int(rate * STEP_SECONDS)
    posts = int(POSTS_PER_S * STEP_SECONDS) if posters else 0
    start = loop.time() + 0.1
    latencies: list[float] = []
    post_latencies: list[float] = []
    by_url: dict[str, list[float]] = {}
    errors: list[str] = []

    async def one(n: int) -> None:
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        url = urls[n % len(urls)]
        try:
            response = await client.get(url)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {url}")
        except httpx.HTTPError as error:
            errors.append(f"{type(error).__name__} {url}")
        latencies.append((loop.time() - due) * 1000)
        by_url.setdefault(url.split("/", 3)[3], []).append(latencies[-1])

    async def post(n: int) -> None:
        due = start + n / POSTS_PER_S
        await asyncio.sleep(max(0.0, due - loop.time()))
        try:
            error = await _post(posters[n % len(posters)], data, int(rate * 1000) + n)
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__} post"
        if error:
            errors.append(f"post: {error}")
        post_latencies.append((loop.time() - due) * 1000)

    await asyncio.gather(
        *(one(n) for n in range(count)), *(post(n) for n in range(posts))
    )
    latencies.sort()
    post_latencies.sort()
    return {
        "rate": rate,
        "requests": count,
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        "posts": posts,
        "post_median_ms": (
            round(statistics.median(post_latencies), 1) if post_latencies else None
        ),
        "post_p95_ms": (
            round(post_latencies[int(0.95 * (len(post_latencies) - 1))], 1)
            if post_latencies
            else None
        ),
        "slowest_medians_ms": dict(
            sorted(
                ((url, round(statistics.median(ms), 1)) for url, ms in by_url.items()),
                key=lambda item: -item[1],
            )[:4]
        ),
    }


async def _ramp(base: str, data: dict) -> list[dict]:
    urls = _urls(base, data)
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=TIMEOUT, limits=limits) as client:
        for url in urls:  # warm-up: compiled templates, computed matrices
            # The first search in each server process loads the sentence
            # encoder: the warm-up waits longer than a measured request.
            response = await client.get(url, timeout=WARM_UP_TIMEOUT)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        posters = []
        if POSTS_PER_S > 0:
            signed_in = [await _signed_in(base, n) for n in range(PARTICIPANTS)]
            posters = [poster for poster in signed_in if poster is not None]
        failed_sign_ins = PARTICIPANTS - len(posters) if POSTS_PER_S > 0 else 0
        try:
            steps = []
            for rate in RATES:
                step = await _step(client, urls, rate, posters, data)
                if not steps and failed_sign_ins:
                    # The participants' sign-ins were requests of this run too.
                    step["errors"] += failed_sign_ins
                    step["first_errors"].append(f"{failed_sign_ins} sign-ins failed")
                step["passed"] = step["errors"] == 0 and step["p95_ms"] <= P95_TARGET_MS
                print(f"  {step}", flush=True)
                steps.append(step)
                # Past the target, one step more shows the trend; errors or a
                # p95 five times the target end the ramp.
                if step["errors"] or step["p95_ms"] > 5 * P95_TARGET_MS:
                    break
                if len([s for s in steps if not s["passed"]]) >= 2:
                    break
        finally:
            for poster in posters:
                await poster.aclose()
        return steps


def _services(folder: Path) -> tuple[dict, callable]:
    env = {
        **os.environ,
        "SCALE_STATE_DIR": str(folder / "services"),
        "SCALE_PG_PORT": os.environ.get("SCALE_PG_PORT", "25532"),
        "SCALE_REDIS_PORT": os.environ.get("SCALE_REDIS_PORT", "26479"),
    }
    script = str(ROOT / "scripts" / "scale-services")
    # The postgres system user runs the server in a folder of this one.
    folder.chmod(0o755)
    started = subprocess.run(
        [script, "start"], env=env, capture_output=True, text=True, check=False
    )
    if started.returncode:
        raise RuntimeError(f"scale-services start failed: {started.stderr[-2000:]}")
    urls = dict(line.split("=", 1) for line in started.stdout.split())
    import psycopg

    database = urls["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{database[0]}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database[1]}"')

    def stop() -> None:
        subprocess.run([script, "stop"], env=env, capture_output=True, check=False)

    return urls, stop


def _backend(name: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-load-{name}-"))
    logs = {what: folder / f"{what}.log" for what in ("gunicorn", "worker")}
    stop_services = None
    _CountingHandler.pages = 0
    processes: list[subprocess.Popen] = []
    oai = _oai_server()
    try:
        env = {
            **os.environ,
            "CLEARINGHOUSE_VAR_DIR": str(folder / "var"),
            "SECRET_KEY": "bench-load-not-secret",
            "DEBUG": "0",
            "FEDERATION_ALLOW_LOOPBACK": "1",
            "LOG_LEVEL": "WARNING",
            # Every participant posts from the generator's one address, and
            # faster than a person fills a form.
            "RATE_CONTRIBUTE_IP": "100000/60",
            "CONSULTATIONS_MIN_FILL_SECONDS": "0",
        }
        env.pop("REDIS_URL", None)
        env.pop("TASKS_BACKEND", None)
        if name == "postgresql":
            services, stop_services = _services(folder)
            env.update(services)
            if PG_QUERY:
                env["DATABASE_URL"] += f"?{PG_QUERY}"
        else:
            env.pop("DATABASE_URL", None)
        started = time.perf_counter()
        url = f"http://127.0.0.1:{oai.server_address[1]}/oai"
        out = _run(
            env,
            "shell",
            "--no-imports",
            "-c",
            SETUP.format(
                url=url,
                documents=DOCUMENTS,
                participants=PARTICIPANTS,
                password=PASSWORD,
            ),
        )
        data = json.loads(out.strip().splitlines()[-1])
        setup_seconds = time.perf_counter() - started
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [str(BIN / "clearinghouse"), "worker"],
                env=env,
                stdout=logs["worker"].open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "clearinghouse.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                ],
                env=env,
                stdout=logs["gunicorn"].open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        _run(env, "harvest", "--due", "--enqueue")
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/robots.txt", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        # The harvest is listing records before the load begins.
        for _ in range(1200):
            if _CountingHandler.pages >= 3:
                break
            time.sleep(0.5)
        pages_before = _CountingHandler.pages
        print(f"bench/load {name}: setup {setup_seconds:.0f} s, ramping", flush=True)
        steps = asyncio.run(_ramp(base, data))
        harvest_pages = _CountingHandler.pages - pages_before
        # A short ramp may end between two pages: wait for the next one.
        for _ in range(600):
            if _CountingHandler.pages > pages_before:
                break
            time.sleep(0.5)
        harvest_progressed = _CountingHandler.pages > pages_before
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        oai.shutdown()
        if stop_services:
            stop_services()
        text = "".join(
            path.read_text(errors="replace") for path in logs.values() if path.exists()
        )
        locked_context = _context_of(LOCKED, logs)
        shutil.rmtree(folder, ignore_errors=True)
    passed = [step["rate"] for step in steps if step["passed"]]
    return {
        "documents": DOCUMENTS,
        "setup_seconds": round(setup_seconds),
        "highest_rate_passed": max(passed, default=0),
        "steps": steps,
        "harvest_pages_before_load": pages_before,
        "harvest_pages_during_load": harvest_pages,
        "harvest_progressed": harvest_progressed,
        "database_is_locked": text.count(LOCKED),
        "database_is_locked_first": locked_context,
        "server_errors_logged": text.count("Internal Server Error"),
    }


def main() -> bool:
    results = {
        "quick": QUICK,
        "postgresql_url_query": PG_QUERY,
        "posts_per_s": POSTS_PER_S,
        "step_seconds": STEP_SECONDS,
        "p95_target_ms": P95_TARGET_MS,
        "load_average": os.getloadavg(),
    }
    ok = {}
    for name in BACKENDS:
        result = _backend(name)
        results[name] = result
        ok[f"{name}: the lowest rate passes"] = result["highest_rate_passed"] > 0
        ok[f"{name}: the harvest runs during the load"] = result["harvest_progressed"]
        if name == "sqlite":
            ok["sqlite: no 'database is locked'"] = result["database_is_locked"] == 0
    results["load_average_after"] = os.getloadavg()
    return report("load", results, ok)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
