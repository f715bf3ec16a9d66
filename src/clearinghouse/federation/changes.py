"""What changed since a time: the listings another clearinghouse harvests.

`GET /api/v1/changes/documents` and `/api/v1/changes/events` list records by
(updated_at, id), the newest change last, optionally from a time (`since`,
inclusive). The upper bound is frozen at the first page and carried, signed,
in the `next` cursor with the last record's position: a record changed while
a harvester pages moves past the bound and comes with the next harvest, so
each record comes once per listing. Documents include withdrawn ones (their
`status` says so), so that harvesters learn of withdrawals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

# A namespace for the signature of cursors, not a secret.
CURSOR_SALT = "clearinghouse.federation.changes"
MAX_LIMIT = 500


class CursorError(ValueError):
    """The cursor or time given cannot be read; the message says why."""


def parse_since(value: str) -> datetime | None:
    """An ISO 8601 date-time (naive means UTC), or None for no lower bound."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_aware(parsed):
            parsed = parsed.astimezone(UTC)  # out of range near years 1 and 9999
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise CursorError(
            _("“since” must be an ISO 8601 date and time, such as %(example)s.")
            % {"example": "2026-01-31T12:00:00Z"}
        )
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ChangesPage:
    """One page of a listing, and where the next one starts."""

    items: list
    until: datetime
    next: str | None


def changes_page(
    queryset: QuerySet, *, since: str, cursor: str, limit: int, kind: str
) -> ChangesPage:
    """A page of `queryset` by (updated_at, id) within the listing's bounds."""
    if cursor:
        try:
            state = signing.loads(cursor, salt=f"{CURSOR_SALT}.{kind}")
            lower = _time(state["since"])
            until = _time(state["until"])
            after = (_time(state["at"]), int(state["id"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
            raise CursorError(
                _("The cursor is invalid; start the listing again.")
            ) from error
    else:
        lower, until, after = parse_since(since), timezone.now(), None
    rows = queryset.filter(updated_at__lte=until)
    if lower is not None:
        rows = rows.filter(updated_at__gte=lower)
    if after is not None:
        rows = rows.filter(
            Q(updated_at__gt=after[0]) | Q(updated_at=after[0], pk__gt=after[1])
        )
    items = list(rows.order_by("updated_at", "pk")[: limit + 1])
    following = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        following = signing.dumps(
            {
                "since": lower.isoformat() if lower else None,
                "until": until.isoformat(),
                "at": last.updated_at.isoformat(),
                "id": last.pk,
            },
            salt=f"{CURSOR_SALT}.{kind}",
            compress=True,
        )
    return ChangesPage(items=items, until=until, next=following)


def _time(value) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value)
