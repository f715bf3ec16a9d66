"""The real site under gunicorn on a loopback port, and one Chromium for the session.

The site runs as in production (DEBUG off, static files collected with hashed
names and served by whitenoise) on a database of its own, with the reference
data and the Forum 2004 dataset loaded: a SQLite file in a temporary folder,
or, when the suite runs on PostgreSQL and Redis (`make test-scale`), a fresh
database on the same server and a Redis database of its own. The
browser is Debian's Chromium; a missing browser or axe-core fails the tests
with the command that installs them, it never skips them.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BIN = Path(sys.executable).parent
VIEWPORT = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Migrate, load the reference data and the Forum 2004 dataset, collect the
# static files: in one process, as `make data` does in four.
PREPARE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("load_reference_data", verbosity=0)
call_command("load_forum2004", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from tests.site_data import prepare
prepare()
"""


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the site did not answer at {url} within {seconds} s")


class Site:
    """The served site: its base URL and the identifiers the page table needs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.host = base.split("//", 1)[1]
        self.event = self._first_event()
        self.consultation = self._first_consultation()

    def url(self, path: str) -> str:
        return self.base + path

    def get_json(self, path: str):
        with urllib.request.urlopen(self.url(path), timeout=10) as response:  # noqa: S310
            return json.load(response)

    def _first_consultation(self) -> str:
        """The consultation PREPARE opened."""
        return self.get_json("/api/v1/consultations")[0]["slug"]

    def _first_event(self) -> int:
        """The Forum itself: the dataset's first event with a date."""
        events = self.get_json("/api/v1/events?when=past")
        items = events["items"] if isinstance(events, dict) else events
        dated = [item for item in items if item.get("start")]
        return dated[-1]["id"]


# The site's Redis database under `make test-scale` (the suite's is 0).
SITE_REDIS_DB = 8


@contextmanager
def _site_services(folder: Path):
    """The site's DATABASE_URL and REDIS_URL: like the suite's, but its own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield {"DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}"}
        return
    import psycopg
    import redis
    from psycopg import sql

    parts = urlsplit(url)
    name = f"igc_site_{uuid.uuid4().hex[:8]}"
    server = {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": parts.username,
        "password": parts.password,
    }
    services = {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    queue = os.environ.get("REDIS_URL", "")
    if queue:
        queue = queue.rsplit("/", 1)[0] + f"/{SITE_REDIS_DB}"
        services["REDIS_URL"] = queue
        redis.Redis.from_url(queue).flushdb()
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield services
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
        if queue:
            redis.Redis.from_url(queue).flushdb()


@pytest.fixture(scope="package")
def site(tmp_path_factory):
    """gunicorn serving the site with the Forum 2004 dataset, for these tests.

    Package-scoped, as the browser: both are stopped before the rest of the
    suite runs (Playwright's event loop must not outlive the browser tests).
    """
    folder = tmp_path_factory.mktemp("site")
    with _site_services(folder) as services:
        yield from _serve(folder, services)


def _serve(folder: Path, services: dict[str, str]):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "HTTPS")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
            "CLEARINGHOUSE_VAR_DIR": str(folder),
            "STATIC_ROOT": str(folder / "static"),
            **services,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    subprocess.run([sys.executable, "-c", PREPARE], env=env, check=True, timeout=600)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (folder / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "clearinghouse.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{base}/robots.txt", process)
        yield Site(base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def require(chromium: Path, axe: Path) -> None:
    """Fail, never skip, when the browser or axe-core is not installed."""
    if not chromium.exists():
        pytest.fail(
            f"Chromium is missing at {chromium}: run `make browser-deps` "
            "(installs Debian's chromium, fonts-noto-core and fonts-noto-cjk)."
        )
    if not axe.exists():
        pytest.fail(f"axe-core is missing at {axe}: run `make browser-deps`.")


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, launched once for the browser tests."""
    require(CHROMIUM, AXE)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def new_context(browser):
    """Open browser contexts (fresh caches and cookies) closed after the test."""
    contexts = []

    def make(*, locale: str = "en", javascript: bool = True, **options):
        context = browser.new_context(
            locale=locale,
            java_script_enabled=javascript,
            viewport=VIEWPORT,
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
