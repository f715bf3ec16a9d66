"""RSS/Atom and iCalendar harvesting, with conditional requests.

Feeds are screened by `harvesting.parse_xml` (no entity declared or expanded)
before feedparser sees them (feedparser would expand entities). A feed lists
recent entries only, so it is never a complete listing: nothing is withdrawn
because an entry left the feed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
from django.utils.translation import gettext as _

from clearinghouse.events import services as event_services
from clearinghouse.events.ical import CalendarRefused
from clearinghouse.events.models import EventKind
from clearinghouse.library.text import plain_text

from .harvesting import (
    FIELD_CAPS,
    HarvestContext,
    Harvester,
    HarvestFailed,
    cap,
    parse_xml,
)
from .models import FeedTarget

MAX_ENTRIES = 5000


def _conditional_fetch(context: HarvestContext):
    """Fetch with If-None-Match / If-Modified-Since; None when not modified."""
    source = context.source
    headers = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    response = context.fetch(source.url, headers=headers)
    if response.status == 304:
        return None
    if response.status != 200:
        raise HarvestFailed(
            _("The feed answered with HTTP status %(status)s.")
            % {"status": response.status}
        )
    return response


def _remember_validators(context: HarvestContext, response) -> None:
    if not context.dry_run:
        context.source.etag = cap(response.header("etag"), "etag")[:300]
        context.source.last_modified = response.header("last-modified")[:100]


def _entry_date(entry) -> str:
    for name in ("published_parsed", "updated_parsed"):
        value = entry.get(name)
        if value:
            return datetime(*value[:6], tzinfo=UTC).isoformat()
    return ""


class FeedHarvester(Harvester):
    """Harvests an RSS or Atom feed into documents or events."""

    def harvest(self, context: HarvestContext) -> None:
        response = _conditional_fetch(context)
        if response is None:
            context.run.complete = False
            return
        # Screen first: no entities, no external references.
        parse_xml(response.content, what=_("The feed"))
        parsed = feedparser.parse(
            response.content,
            response_headers={"content-type": response.header("content-type")},
            sanitize_html=True,
            resolve_relative_uris=False,
        )
        if parsed.get("bozo") and not parsed.entries:
            raise HarvestFailed(
                _("The feed could not be read (%(error)s).")
                % {"error": str(parsed.get("bozo_exception", ""))[:200]}
            )
        with context.batch():
            for entry in parsed.entries[:MAX_ENTRIES]:
                self._entry(context, entry)
        _remember_validators(context, response)

    def _entry(self, context: HarvestContext, entry) -> None:
        context.run.fetched += 1
        identifier = cap(entry.get("id") or entry.get("link") or "", "identifier")
        if not identifier:
            context.error(_("An entry without id or link was skipped."), record="?")
            return
        if identifier in context.seen:
            return
        context.seen.add(identifier)
        if context.source.feed_target == FeedTarget.EVENTS:
            self._event(context, entry, identifier)
        else:
            self._document(context, entry, identifier)

    def _document(self, context: HarvestContext, entry, identifier: str) -> None:
        summary = entry.get("summary", "")
        body = ""
        for content in entry.get("content", [])[:3]:
            body += content.get("value", "") + "\n\n"
        fields = {
            "title": cap(entry.get("title", ""), "title"),
            "summary": cap(summary, "summary"),
            "body": cap(body if body.strip() != summary.strip() else "", "body"),
            "authors": [
                cap(a.get("name", ""), "author")
                for a in entry.get("authors", [])[: FIELD_CAPS["authors"]]
                if a.get("name")
            ],
            "date": _entry_date(entry)[:10],
            "url": cap(entry.get("link", ""), "url"),
            "identifier": identifier,
            "licence": cap(entry.get("rights", ""), "licence"),
        }
        context.document(
            identifier=identifier, datestamp=_entry_date(entry) or None, fields=fields
        )

    def _event(self, context: HarvestContext, entry, identifier: str) -> None:
        source = context.source
        link = cap(entry.get("link", ""), "url")
        values = {
            "title": plain_text(entry.get("title", ""), limit=300, single_line=True),
            "description": plain_text(entry.get("summary", ""), limit=10000),
            "kind": EventKind.CONFERENCE,
            "language": source.default_language or "en",
            "url": link if link.startswith(("http://", "https://")) else "",
            "date_note": _("Announced in the partner's feed, which gives no date."),
            "source_title": source.name[:500],
            "source_url": source.url[:500],
        }
        if not values["title"]:
            context.error(_("An entry without a title was skipped."), record=identifier)
            return
        context.event(
            identifier=identifier,
            values=values,
            issues=source.default_issues.all(),
        )


class CalendarHarvester(Harvester):
    """Harvests an iCalendar feed into events, through the events import."""

    def harvest(self, context: HarvestContext) -> None:
        response = _conditional_fetch(context)
        if response is None:
            return
        try:
            report = event_services.calendar_import(
                data=response.content, dry_run=context.dry_run
            )
        except CalendarRefused as error:
            raise HarvestFailed(str(error)) from error
        for note in report.notes:
            context.error(str(note))
        for line in report.lines:
            context.run.fetched += 1
            if line.outcome == "skipped":
                context.error("; ".join(str(r) for r in line.reasons), record=line.uid)
            elif line.outcome == "created":
                context.run.created += 1
            elif line.outcome == "updated":
                context.run.updated += 1
            else:
                context.run.unchanged += 1
        _remember_validators(context, response)
