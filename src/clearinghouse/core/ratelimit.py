"""Rate limits in fixed windows, counted in the database or in Redis.

django-ratelimit needs a shared cache (Redis, Memcached); the embedded
default has neither, and a per-process memory cache would let each web
worker count alone. So the default backend counts in a database table, one
row per key and window, incremented with one atomic upsert; with REDIS_URL
set, Redis counts with INCR and EXPIRE. Both answer the same question:
"may this key act once more in this window?".

A subclass of RateLimiter implements `hit(key, window)` and returns the
count after this hit.
"""

import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .models import RateWindow


@dataclass(frozen=True)
class Rate:
    """At most `limit` hits per `window` seconds."""

    limit: int
    window: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "10/60" → ten per minute; "100/86400" → a hundred a day."""
        limit, _slash, window = text.partition("/")
        rate = cls(int(limit), int(window))
        if rate.limit < 1 or rate.window < 1:
            raise ValueError(f"Bad rate {text!r}: both numbers must be positive.")
        return rate


class RateLimiter:
    """Base class: count a hit for a key in the current fixed window."""

    def hit(self, key: str, window: int) -> int:
        """Count one hit; return how many hits the key has in this window."""
        raise NotImplementedError

    def allow(self, key: str, rate: Rate) -> bool:
        """Count one hit and say whether it stays within the rate."""
        return self.hit(key, rate.window) <= rate.limit


def _now() -> float:
    return time.time()


def _window_start(window: int) -> int:
    now = int(_now())
    return now - now % window


class DatabaseRateLimiter(RateLimiter):
    """Counts in the RateWindow table: INSERT … ON CONFLICT DO UPDATE count + 1.

    The upsert is one statement, atomic on SQLite and PostgreSQL alike, so
    concurrent workers never lose a hit. Windows older than a day are
    deleted now and then.
    """

    _SQL = (
        "INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "
        "ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )

    def hit(self, key: str, window: int) -> int:
        start = _window_start(window)
        table = connection.ops.quote_name(RateWindow._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(self._SQL.format(table=table), [key[:200], start])
            (count,) = cursor.fetchone()
        if count == 1 and start % 97 == 0:
            RateWindow.objects.filter(window_start__lt=start - 86400).delete()
        return count


class RedisRateLimiter(RateLimiter):
    """Counts in Redis: INCR the window's key, EXPIRE it with the window."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)

    def hit(self, key: str, window: int) -> int:
        name = f"ratelimit:{key}:{_window_start(window)}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 1)
        count, _expired = pipe.execute()
        return int(count)


@cache
def _limiter_for(url: str) -> RateLimiter:
    return RedisRateLimiter(url) if url else DatabaseRateLimiter()


def limiter() -> RateLimiter:
    """The configured limiter: Redis when REDIS_URL is set, else the database."""
    return _limiter_for(getattr(settings, "RATELIMIT_REDIS_URL", ""))


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind a trusted proxy, the one it reports."""
    if getattr(settings, "RATELIMIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def over_limit(request: HttpRequest, scope: str) -> bool:
    """Count this request against the scope's limits per account and per address.

    Limits come from settings.RATE_LIMITS[scope]: {"user": "n/s", "ip": "n/s"}.
    Every limit is counted, so that a refused request still counts.
    """
    rates = settings.RATE_LIMITS.get(scope, {})
    active = limiter()
    refused = False
    if "ip" in rates:
        rate = Rate.parse(rates["ip"])
        refused |= not active.allow(f"{scope}:ip:{client_ip(request)}", rate)
    user = getattr(request, "user", None)
    if "user" in rates and user is not None and user.is_authenticated:
        rate = Rate.parse(rates["user"])
        refused |= not active.allow(f"{scope}:user:{user.pk}", rate)
    return refused


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """A 429 page in the visitor's language."""
    response = render(
        request,
        "errors/400.html",
        {
            "errors": [
                _(
                    "Too many requests in a short time. Nothing was saved; "
                    "please wait a minute and try again."
                )
            ]
        },
        status=429,
    )
    response["Retry-After"] = "60"
    return response
