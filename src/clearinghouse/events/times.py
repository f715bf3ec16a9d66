"""Times of events: storing them in UTC, stating them in two zones.

Every time is stored in UTC. A page states it in the visitor's zone (the
`tz` query parameter or cookie, an IANA name, UTC by default) and, beside it,
in the event's own zone. An all-day event is a run of dates in its own zone;
its dates are shown as they are, in every zone.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import _TIMEZONES

TZ_COOKIE = "tz"
DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo | None:
    """The IANA zone of this name, or None if there is none.

    Cached: ZoneInfo keeps only a few zones strongly, and reading one again
    from disk cost more than the rest of a month view's row.
    """
    if name not in _TIMEZONES:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=4096)
def _date_text(day: date, language: str) -> str:
    return date_format(day, "DATE_FORMAT")


@lru_cache(maxsize=4096)
def _time_text(hour: int, minute: int, language: str) -> str:
    return date_format(time(hour, minute), "TIME_FORMAT")


def date_text(day: date) -> str:
    """A date as the active language writes it (memoized per language)."""
    return _date_text(day, get_language() or "en")


def time_text(moment: datetime) -> str:
    """A time of day as the active language writes it (memoized per language)."""
    return _time_text(moment.hour, moment.minute, get_language() or "en")


def span(
    *, start: date | datetime, end: date | datetime, all_day: bool, zone_name: str
) -> tuple[datetime, datetime]:
    """The stored (UTC) start and end of an event given in its own zone.

    For an all-day event `start` and `end` are its first and last dates
    (datetimes are cut to their date in the zone); the stored end is midnight
    after the last date. A naive datetime is read in the event's zone.
    """
    tz = zone(zone_name) or ZoneInfo(zone_name)
    if all_day:
        first = _as_date(start, tz)
        last = _as_date(end, tz)
        return (
            datetime.combine(first, time(), tz).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC),
        )
    return _aware(start, tz).astimezone(UTC), _aware(end, tz).astimezone(UTC)


def _as_date(value: date | datetime, tz: ZoneInfo) -> date:
    if isinstance(value, datetime):
        return _aware(value, tz).astimezone(tz).date()
    return value


def _aware(value: date | datetime, tz: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tz)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


def days(start: datetime, end: datetime, zone_name: str) -> tuple[date, date]:
    """First and last date of an all-day event, in its own zone."""
    tz = zone(zone_name) or ZoneInfo(DEFAULT_ZONE)
    first = start.astimezone(tz).date()
    last = end.astimezone(tz).date() - timedelta(days=1)
    return first, max(first, last)


def offset_label(moment: datetime, tz: ZoneInfo) -> str:
    """The zone's offset from UTC at a moment, as “UTC+08:00”."""
    offset = moment.astimezone(tz).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@dataclass(slots=True)
class When:
    """An event's times as a page states them."""

    visitor: str
    own: str
    zone_name: str
    same_zone: bool
    all_day: bool
    iso_start: str
    iso_end: str


@lru_cache(maxsize=16)
def _patterns(language: str) -> dict[str, str]:
    """The translated patterns of time ranges, read once per language."""
    return {
        "instant": _("%(date)s, %(time)s"),
        "same_day": _("%(date)s, %(start)s–%(end)s"),
        "days": _("%(start_date)s, %(start)s – %(end_date)s, %(end)s"),
        "dates": _("%(first)s – %(last)s"),
    }


def _range(start: datetime, end: datetime, language: str) -> str:
    patterns = _patterns(language)
    start_day = _date_text(start.date(), language)
    start_time = _time_text(start.hour, start.minute, language)
    if start.date() == end.date():
        if start == end:
            return patterns["instant"] % {"date": start_day, "time": start_time}
        return patterns["same_day"] % {
            "date": start_day,
            "start": start_time,
            "end": _time_text(end.hour, end.minute, language),
        }
    return patterns["days"] % {
        "start_date": start_day,
        "start": start_time,
        "end_date": _date_text(end.date(), language),
        "end": _time_text(end.hour, end.minute, language),
    }


def date_range(first: date, last: date, language: str | None = None) -> str:
    """“25 March 2004” or “25 March 2004 – 26 March 2004”, localized."""
    language = language or get_language() or "en"
    if first == last:
        return _date_text(first, language)
    return _patterns(language)["dates"] % {
        "first": _date_text(first, language),
        "last": _date_text(last, language),
    }


def describe(
    *,
    start: datetime,
    end: datetime,
    all_day: bool,
    zone_name: str,
    visitor: ZoneInfo,
    language: str | None = None,
) -> When:
    """State an event's times in the visitor's zone and in its own.

    `language` (the active one by default) may be given once for many events.
    """
    language = language or get_language() or "en"
    own_tz = zone(zone_name) or ZoneInfo(DEFAULT_ZONE)
    if all_day:
        first, last = days(start, end, own_tz.key)
        text = date_range(first, last, language)
        return When(
            visitor=text,
            own=text,
            zone_name=own_tz.key,
            same_zone=True,
            all_day=True,
            iso_start=first.isoformat(),
            iso_end=last.isoformat(),
        )
    local_start, local_end = start.astimezone(visitor), end.astimezone(visitor)
    own_start, own_end = start.astimezone(own_tz), end.astimezone(own_tz)
    return When(
        visitor=f"{_range(local_start, local_end, language)} ({visitor.key}, "
        f"{offset_label(start, visitor)})",
        own=f"{_range(own_start, own_end, language)} ({own_tz.key}, "
        f"{offset_label(start, own_tz)})",
        zone_name=own_tz.key,
        same_zone=visitor.key == own_tz.key,
        all_day=False,
        iso_start=own_start.isoformat(),
        iso_end=own_end.isoformat(),
    )
