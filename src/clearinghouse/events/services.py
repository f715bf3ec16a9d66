"""Writes to the events app: events, their languages and links, participation,
and the import of iCalendar files.

Every write goes through `_event_write()`, which saves only what differs, so
that loading or importing the same data twice writes nothing the second time.
"""

import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import Country
from clearinghouse.core.services import LoadReport, upsert
from clearinghouse.taxonomy.models import Issue

from .ical import CalendarRefused, ParsedEvent, calendar_parse
from .models import Event, EventKind, EventLanguage, EventLink, ParticipationFigure

logger = logging.getLogger(__name__)

IMPORT_REASON = "iCalendar import"
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
_LINK_FIELDS = ("kind", "title", "url", "language")


def new_uid() -> str:
    """A fresh iCalendar UID for an event created here."""
    return f"{uuid.uuid4()}@clearinghouse"


def _same(current, wanted) -> bool:
    # A translation column read back as None equals one written as "".
    if current is None and wanted == "":
        return True
    if wanted is None and current == "":
        return True
    return current == wanted


def _link_rows(links: Iterable[dict]) -> list[tuple]:
    return [tuple(str(link.get(name) or "") for name in _LINK_FIELDS) for link in links]


def _relations_set(
    event: Event,
    *,
    languages: Iterable[str] | None,
    links: Iterable[dict] | None,
    organizers: Iterable[Institution] | None,
    issues: Iterable[Issue] | None,
    reason: str = "",
) -> list[str]:
    """Make the event's relations exactly these (None leaves one as it is).

    Returns the names of the relations that changed.
    """
    changed: list[str] = []
    if languages is not None:
        wanted = list(dict.fromkeys(languages))
        current = {row.language: row for row in event.languages.all()}
        if set(current) != set(wanted):
            for code in set(current) - set(wanted):
                row = current[code]
                row._change_reason = reason
                row.delete()
            for code in wanted:
                if code not in current:
                    row = EventLanguage(event=event, language=code)
                    row._change_reason = reason
                    row.full_clean(exclude=["event"])
                    row.save()
            changed.append("languages")
    if links is not None:
        wanted_rows = _link_rows(links)
        current_links = list(event.links.all().order_by("order", "pk"))
        if (
            _link_rows(
                {name: getattr(link, name) for name in _LINK_FIELDS}
                for link in current_links
            )
            != wanted_rows
        ):
            for link in current_links:
                link._change_reason = reason
                link.delete()
            for order, (kind, title, url, language) in enumerate(wanted_rows):
                link = EventLink(
                    event=event,
                    kind=kind,
                    title=title,
                    url=url,
                    language=language,
                    order=order,
                )
                link._change_reason = reason
                link.full_clean(exclude=["event"])
                link.save()
            changed.append("links")
    for name, targets in (("organizers", organizers), ("issues", issues)):
        if targets is None:
            continue
        targets = list(targets)
        if {t.pk for t in getattr(event, name).all()} != {t.pk for t in targets}:
            getattr(event, name).set(targets)
            changed.append(name)
    return changed


def _event_write(
    event: Event | None,
    *,
    uid: str,
    values: dict,
    languages: Iterable[str] | None = None,
    links: Iterable[dict] | None = None,
    organizers: Iterable[Institution] | None = None,
    issues: Iterable[Issue] | None = None,
    reason: str = "",
) -> tuple[Event, str, list[str]]:
    """Create the event, or change what differs: (event, outcome, changed names).

    The outcome is "created", "updated" or "unchanged".
    """
    if event is None:
        event = Event(uid=uid, **values)
        event._change_reason = reason
        event.full_clean()
        event.save()
        _relations_set(
            event,
            languages=languages,
            links=links,
            organizers=organizers,
            issues=issues,
            reason=reason,
        )
        return event, "created", []
    changed = [
        name for name, value in values.items() if not _same(getattr(event, name), value)
    ]
    if changed:
        for name in changed:
            setattr(event, name, values[name])
        event._change_reason = reason
        event.full_clean()
        event.save()
    changed += _relations_set(
        event,
        languages=languages,
        links=links,
        organizers=organizers,
        issues=issues,
        reason=reason,
    )
    return event, ("updated" if changed else "unchanged"), changed


@transaction.atomic
def event_create(
    *,
    values: dict,
    uid: str = "",
    languages: Iterable[str] = (),
    links: Iterable[dict] = (),
    organizers: Iterable[Institution] = (),
    issues: Iterable[Issue] = (),
) -> Event:
    """Create an event from model field values (times in UTC), with its relations."""
    event, _outcome, _changed = _event_write(
        None,
        uid=uid or new_uid(),
        values=values,
        languages=languages,
        links=links,
        organizers=organizers,
        issues=issues,
    )
    return event


@transaction.atomic
def event_update(
    *,
    event: Event,
    values: dict,
    languages: Iterable[str] | None = None,
    links: Iterable[dict] | None = None,
    organizers: Iterable[Institution] | None = None,
    issues: Iterable[Issue] | None = None,
) -> list[str]:
    """Change an event's fields and, where given, its relations; names what changed."""
    _event, _outcome, changed = _event_write(
        event,
        uid=event.uid,
        values=values,
        languages=languages,
        links=links,
        organizers=organizers,
        issues=issues,
    )
    return changed


@transaction.atomic
def event_delete(*, event: Event) -> None:
    """Remove an event with its languages, links and participation (history stays)."""
    event.delete()


@transaction.atomic
def event_upsert(
    *,
    uid: str,
    values: dict,
    report: LoadReport,
    organizers: Iterable[Institution] | None = None,
    issues: Iterable[Issue] | None = None,
    languages: Iterable[str] | None = None,
    links: Iterable[dict] | None = None,
) -> Event:
    """Create or update an event by UID for a loader, counting it in the report."""
    before = dict(report.unchanged), dict(report.created), dict(report.updated)
    event = upsert(
        Event, lookup={"uid": uid}, values=values, report=report, kind="events"
    )
    changed = _relations_set(
        event,
        languages=languages,
        links=links,
        organizers=organizers,
        issues=issues,
        reason=report.reason,
    )
    if changed and report.unchanged.get("events", 0) > before[0].get("events", 0):
        report.unchanged["events"] -= 1
        report.count("events", "updated")
    return event


@transaction.atomic
def participation_figure_upsert(
    *, event: Event, key: str, values: dict, report: LoadReport
) -> ParticipationFigure:
    """Create or update one participation figure of an event by its key."""
    return upsert(
        ParticipationFigure,
        lookup={"event": event, "key": key},
        values=values,
        report=report,
        kind="participation figures",
    )


# --------------------------------------------------------------------------
# iCalendar import


@dataclass
class ImportLine:
    """What the import did (or would do) with one event of the file."""

    number: int
    uid: str
    title: str
    outcome: str
    reasons: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    pk: int | None = None


@dataclass
class ImportReport:
    """The outcome of an import or of its preview (dry run), event by event."""

    digest: str
    dry_run: bool
    lines: list[ImportLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How many events were created, updated, unchanged, skipped."""
        counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        for line in self.lines:
            counts[line.outcome] += 1
        return counts

    def summary(self) -> str:
        """One sentence with the counts, in the active language."""
        counts = self.counts
        template = (
            _(
                "Would create %(created)s, update %(updated)s, leave %(unchanged)s "
                "unchanged and skip %(skipped)s."
            )
            if self.dry_run
            else _(
                "Created %(created)s, updated %(updated)s, left %(unchanged)s "
                "unchanged and skipped %(skipped)s."
            )
        )
        return template % counts


def file_digest(data: bytes) -> str:
    """The SHA-256 of an uploaded file, naming it between preview and import."""
    return hashlib.sha256(data).hexdigest()


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {message}" if name != "__all__" else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


@dataclass
class _References:
    """Institutions, issues and countries that the file names, read at once."""

    institutions: dict[str, Institution]
    issues: dict[str, Issue]
    issue_labels: dict[str, Issue]
    countries: dict[str, int]

    @classmethod
    def read(cls, events: list[ParsedEvent]) -> "_References":
        slugs = {slug for event in events for slug in event.organizers}
        issue_slugs = {slug for event in events for slug in event.issues}
        categories = {c for event in events for c in event.categories}
        iso2 = {event.values.get("country") for event in events} - {"", None}
        issue_labels: dict[str, Issue] = {}
        if categories:
            names = Q(slug__in=categories)
            for code in LANGUAGE_CODES:
                names |= Q(**{f"name_{code.replace('-', '_')}__in": categories})
            for issue in Issue.objects.filter(names):
                for label in [issue.slug] + [
                    getattr(issue, f"name_{c.replace('-', '_')}") or ""
                    for c in LANGUAGE_CODES
                ]:
                    if label:
                        issue_labels[label.casefold()] = issue
        return cls(
            institutions={
                i.slug: i for i in Institution.objects.filter(slug__in=slugs)
            },
            issues={i.slug: i for i in Issue.objects.filter(slug__in=issue_slugs)},
            issue_labels=issue_labels,
            countries=dict(
                Country.objects.filter(iso2__in=iso2).values_list("iso2", "pk")
            ),
        )


def _existing(uids: list[str]) -> dict[str, Event]:
    events: dict[str, Event] = {}
    for start in range(0, len(uids), 500):
        for event in Event.objects.filter(
            uid__in=uids[start : start + 500]
        ).prefetch_related("languages", "links", "organizers", "issues"):
            events[event.uid] = event
    return events


def _import_one(
    parsed: ParsedEvent,
    *,
    existing: Event | None,
    references: _References,
    default_kind: str,
) -> ImportLine:
    line = ImportLine(
        number=parsed.number, uid=parsed.uid, title=parsed.label, outcome="skipped"
    )
    line.reasons.extend(parsed.notes)
    values = dict(parsed.values)
    iso2 = values.pop("country", "")
    values["country_id"] = references.countries.get(iso2) if iso2 else None
    if iso2 and values["country_id"] is None:
        line.reasons.append(
            _("Unknown country code “%(code)s”; left out.") % {"code": iso2[:10]}
        )
    if not values.get("kind"):
        values["kind"] = default_kind
    organizers = []
    for slug in parsed.organizers:
        if slug in references.institutions:
            organizers.append(references.institutions[slug])
        else:
            line.reasons.append(
                _("Unknown organizer “%(slug)s”; left out.") % {"slug": slug[:80]}
            )
    issues = []
    for slug in parsed.issues:
        if slug in references.issues:
            issues.append(references.issues[slug])
        else:
            line.reasons.append(
                _("Unknown issue “%(slug)s”; left out.") % {"slug": slug[:80]}
            )
    for label in parsed.categories:
        issue = references.issue_labels.get(label.casefold())
        if issue is not None and issue not in issues:
            issues.append(issue)
    try:
        with transaction.atomic():
            event, outcome, changed = _event_write(
                existing,
                uid=parsed.uid,
                values=values,
                languages=parsed.languages,
                links=parsed.links,
                organizers=organizers,
                issues=issues,
                reason=IMPORT_REASON,
            )
    except ValidationError as error:
        line.reasons = _messages(error) + line.reasons
        return line
    except IntegrityError:
        line.reasons.insert(0, _("The database refused this event."))
        return line
    line.outcome, line.changed, line.pk = outcome, changed, event.pk
    return line


def calendar_import(
    *,
    data: bytes,
    dry_run: bool,
    default_kind: str = EventKind.CONFERENCE,
) -> ImportReport:
    """Import (or, with dry_run, preview) the events of an iCalendar file.

    Events are matched by UID: a known UID updates its event, a new one
    creates an event, and an event identical to the stored one is left
    unchanged. Each event the file cannot give is reported as skipped with
    its reasons; nothing else is left out silently. All writes happen in one
    transaction; a dry run rolls it back, so its report is exactly what the
    import would do against the database as it is now. Raises CalendarRefused
    when the file as a whole cannot be read.
    """
    report = ImportReport(digest=file_digest(data), dry_run=dry_run)
    parsed = calendar_parse(data)
    report.notes.extend(parsed.notes)
    for refusal in parsed.refused:
        report.lines.append(
            ImportLine(
                number=refusal.number,
                uid=refusal.uid,
                title=refusal.label,
                outcome="skipped",
                reasons=refusal.reasons,
            )
        )
    existing = _existing([event.uid for event in parsed.events])
    references = _References.read(parsed.events)
    seen: set[str] = set()
    with transaction.atomic():
        for event in parsed.events:
            if event.uid in seen:
                report.lines.append(
                    ImportLine(
                        number=event.number,
                        uid=event.uid,
                        title=event.label,
                        outcome="skipped",
                        reasons=[
                            _("The file gives this UID twice; the first was used.")
                        ],
                    )
                )
                continue
            seen.add(event.uid)
            report.lines.append(
                _import_one(
                    event,
                    existing=existing.get(event.uid),
                    references=references,
                    default_kind=default_kind,
                )
            )
        if dry_run:
            transaction.set_rollback(True)
    report.lines.sort(key=lambda line: (line.number, line.uid))
    logger.info(
        "events.ical.imported",
        extra={"dry_run": dry_run, "counts": report.counts, "digest": report.digest},
    )
    return report


__all__ = [
    "CalendarRefused",
    "ImportLine",
    "ImportReport",
    "calendar_import",
    "event_create",
    "event_delete",
    "event_update",
    "event_upsert",
    "participation_figure_upsert",
]
