"""Harvesting another clearinghouse through its public JSON API.

The source's address is the partner's API root (such as
`https://partner.example.org/api/v1/`). Its change listings
(`changes/documents`, `changes/events`, see `changes.py`) are read page by
page through the guarded fetcher, from the `until` of the last complete
harvest. Documents become library documents (a withdrawn one withdraws ours);
events become events. A first harvest (no `since`) is a complete listing of
documents, so the documents the partner no longer lists are withdrawn; a
failed or partial harvest withdraws nothing and keeps the cursor.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlencode, urljoin

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from clearinghouse.core.languages import LANGUAGE_CODES
from clearinghouse.core.models import Country
from clearinghouse.events.models import EventKind, EventStatus
from clearinghouse.library.models import DocumentStatus
from clearinghouse.library.text import plain_text
from clearinghouse.taxonomy.models import Issue

from .harvesting import FIELD_CAPS, HarvestContext, Harvester, HarvestFailed, cap

PAGE_SIZE = 200
_URL = URLValidator(schemes=["http", "https"])
MAX_PAGES = 100_000


def _text(item: dict, name: str, cap_name: str = "") -> str:
    value = item.get(name)
    return cap(value, cap_name or name) if isinstance(value, str | int) else ""


def _list(item: dict, name: str) -> list[str]:
    value = item.get(name)
    if not isinstance(value, list):
        return []
    return [cap(v, "identifier") for v in value[:200] if isinstance(v, str)]


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value.strip()[:40])
    except ValueError:
        return None


class ClearinghouseHarvester(Harvester):
    """Harvests another instance of this clearinghouse: documents, then events."""

    def harvest(self, context: HarvestContext) -> None:
        source = context.source
        since = source.cursor
        self.issues = dict(Issue.objects.values_list("slug", "pk"))
        context.load_known()
        listed: set[str] = set()
        until = self._listing(context, "documents", since, self._document, listed)
        events_until = self._listing(context, "events", since, self._event, set())
        if not since:
            context.withdraw_missing(listed)
            context.run.complete = True
        if not context.dry_run:
            source.cursor = min(until, events_until)

    def _listing(self, context: HarvestContext, kind: str, since: str, write, listed):
        """Read one change listing to its end; returns its `until`."""
        base = (
            context.source.url
            if context.source.url.endswith("/")
            else f"{context.source.url}/"
        )
        address = urljoin(base, f"changes/{kind}")
        params = {"limit": str(PAGE_SIZE)}
        if since:
            params["since"] = since
        until = ""
        cursors: set[str] = set()
        for _page in range(MAX_PAGES):
            page = self._page(context, f"{address}?{urlencode(params)}")
            until = until or page["until"]
            with context.batch():
                for item in page["items"]:
                    if not isinstance(item, dict) or not isinstance(
                        item.get("id"), int
                    ):
                        context.error(
                            _("A record without an id was skipped."), record="?"
                        )
                        continue
                    context.run.fetched += 1
                    write(context, item, listed)
            following = page["next"]
            if not following:
                return until
            if following in cursors:
                raise HarvestFailed(_("The partner repeated a cursor."))
            cursors.add(following)
            params = {"limit": str(PAGE_SIZE), "cursor": following}
        raise HarvestFailed(_("Too many pages; the listing was stopped."))

    def _page(self, context: HarvestContext, url: str) -> dict:
        response = context.fetch(url, headers={"Accept": "application/json"})
        if response.status != 200:
            raise HarvestFailed(
                _("The partner's API answered with HTTP status %(status)s.")
                % {"status": response.status}
            )
        try:
            page = json.loads(response.content)
        except (ValueError, RecursionError) as error:
            raise HarvestFailed(
                _("The partner's API did not answer with valid JSON (%(error)s).")
                % {"error": str(error)[:200]}
            ) from error
        if (
            not isinstance(page, dict)
            or not isinstance(page.get("items"), list)
            or not isinstance(page.get("next"), str | None)
            or _time(page.get("until")) is None
        ):
            raise HarvestFailed(
                _("The partner's answer is not a change listing of this clearinghouse.")
            )
        page["until"] = _time(page["until"]).isoformat()
        return page

    def _document(self, context: HarvestContext, item: dict, listed: set[str]) -> None:
        identifier = str(item["id"])
        listed.add(identifier)
        stamp = _time(item.get("updated_at"))
        if item.get("status") == DocumentStatus.WITHDRAWN:
            context.withdraw(identifier=identifier)
            return
        if context.gave_before(identifier, stamp):
            context.run.unchanged += 1
            return
        source = context.source
        tags = item.get("issues") if isinstance(item.get("issues"), list) else []
        issue_ids = {
            self.issues[tag["slug"]]
            for tag in tags[:200]
            if isinstance(tag, dict) and tag.get("slug") in self.issues
        }
        date = _text(item, "date")[:10]
        # The partner's precision: a month is "YYYY-MM", a year "YYYY".
        date = {"month": date[:7], "year": date[:4]}.get(
            item.get("date_precision"), date
        )
        fields = {
            "title": _text(item, "title"),
            "summary": _text(item, "summary"),
            "authors": [cap(a, "author") for a in _list(item, "authors")][
                : FIELD_CAPS["authors"]
            ],
            "date": date,
            "doc_type": _text(item, "doc_type", "date"),
            "language": _text(item, "language", "date"),
            "url": _text(item, "web_address", "url") or _text(item, "url"),
            "identifier": _text(item, "identifier"),
            "doi": _text(item, "doi"),
            "licence": _text(item, "licence"),
            "issue_ids": sorted(issue_ids | set(context.default_issue_ids)),
            "institution_ids": [source.institution_id],
        }
        context.document(identifier=identifier, datestamp=stamp, fields=fields)

    def _event(self, context: HarvestContext, item: dict, _listed) -> None:
        source = context.source
        identifier = _text(item, "uid", "identifier") or str(item["id"])
        start, end = _time(item.get("start")), _time(item.get("end"))
        kind = _text(item, "kind", "date")
        status = _text(item, "status", "date")
        country = _text(item, "country", "date")
        language = _text(item, "language", "date")
        if language not in LANGUAGE_CODES:
            language = source.default_language or "en"
        # The title and description in the event's original language.
        title = _translation(item, "titles", language) or _text(item, "title")
        description = _translation(item, "descriptions", language) or _text(
            item, "description", "summary"
        )
        dated = start is not None and end is not None
        suffix = language.replace("-", "_")
        values = {
            f"title_{suffix}": plain_text(title, limit=300, single_line=True),
            f"description_{suffix}": plain_text(description, limit=10000),
            "kind": kind if kind in EventKind.values else EventKind.CONFERENCE,
            "status": status if status in EventStatus.values else EventStatus.ANNOUNCED,
            "language": language,
            "start": start if dated else None,
            "end": end if dated else None,
            "all_day": item.get("all_day") is True,
            "timezone": _text(item, "timezone", "date") or "UTC",
            "venue": plain_text(_text(item, "venue"), limit=300, single_line=True),
            "city": plain_text(_text(item, "city"), limit=120, single_line=True),
            "country": Country.objects.filter(iso2=country.upper()).first()
            if country
            else None,
            "online": item.get("online") is True,
            "url": _address(_text(item, "url"), 500),
            "registration_url": _address(_text(item, "registration_url", "url"), 500),
            "date_note": plain_text(_text(item, "date_note", "summary"), limit=2000)
            or ("" if dated else _("The partner clearinghouse gives no date.")),
            "source_title": source.name[:500],
            "source_url": _address(_text(item, "page", "url"), 500) or source.url[:500],
        }
        if not values[f"title_{suffix}"]:
            context.error(_("An event without a title was skipped."), record=identifier)
            return
        issues = [
            pk
            for slug in _list(item, "issues")
            if (pk := self.issues.get(slug)) is not None
        ]
        context.event(
            identifier=identifier,
            values=values,
            issues=Issue.objects.filter(pk__in=[*issues, *context.default_issue_ids]),
        )


def _translation(item: dict, name: str, language: str) -> str:
    values = item.get(name)
    if not isinstance(values, dict):
        return ""
    return cap(values.get(language.replace("-", "_")) or values.get(language), name)


def _address(value: str, limit: int) -> str:
    """A web address the events part stores, or ""."""
    if not value or len(value) > limit:
        return ""
    try:
        _URL(value)
    except ValidationError:
        return ""
    return value
