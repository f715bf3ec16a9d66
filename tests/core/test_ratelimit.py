"""core.ratelimit: fixed windows counted in the database, or in a real Redis."""

import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from clearinghouse.core.models import RateWindow
from clearinghouse.core.ratelimit import (
    DatabaseRateLimiter,
    Rate,
    RedisRateLimiter,
)


def test_rate_parses_and_refuses_nonsense():
    assert Rate.parse("10/60") == Rate(10, 60)
    for bad in ("0/60", "10/0", "ten/60", "10"):
        with pytest.raises(ValueError):
            Rate.parse(bad)


@pytest.mark.django_db
def test_database_limiter_counts_one_row_per_key_and_window():
    limiter = DatabaseRateLimiter()
    rate = Rate(3, 3600)
    assert [limiter.allow("k", rate) for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert limiter.allow("other", rate)
    row = RateWindow.objects.get(key="k")
    assert row.count == 5


@pytest.mark.django_db
def test_database_limiter_starts_a_new_window_when_the_old_one_ends(monkeypatch):
    limiter = DatabaseRateLimiter()
    now = [1_000_020.0]
    monkeypatch.setattr("clearinghouse.core.ratelimit._now", lambda: now[0])
    rate = Rate(1, 60)
    assert limiter.allow("k", rate)
    assert not limiter.allow("k", rate)
    now[0] += 60
    assert limiter.allow("k", rate)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a loopback port (installed by .ci/run)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed (apt-get install redis-server)"
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_redis_limiter_counts_atomically_across_threads(redis_url):
    limiter = RedisRateLimiter(redis_url)
    rate = Rate(50, 60)
    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(lambda _i: limiter.allow("k", rate), range(80)))
    assert allowed.count(True) == 50
    ttl = limiter.client.ttl(next(iter(limiter.client.scan_iter("ratelimit:k:*"))))
    assert 0 < ttl <= 61
