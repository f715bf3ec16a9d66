"""The public change history of curated records: who changed what, and when.

Reads django-simple-history's tables. Differences between consecutive versions
are computed here in one pass, so a page of history costs a fixed number of
queries however many versions it shows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

# Bookkeeping fields that change on every save and say nothing to a reader.
_IGNORED = {"updated_at", "created_at"}

# Setting many-to-many values right after saving a record saves a second
# version; within this window, by the same person, both show as one entry.
_FOLD_WINDOW = timedelta(seconds=5)

CHANGE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class HistoryEntry:
    """One saved version of a record, and what it changed."""

    when: datetime
    who: str
    action: str
    kind: str
    subject: str
    fields: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def action_label(self) -> str:
        """'created', 'changed' or 'deleted', translated."""
        return str(CHANGE_LABELS.get(self.action, self.action))


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _subject(model, record) -> str:
    """What a version is of, in words, without a query per version."""
    label = getattr(model.instance_type, "history_label", None)
    if label is not None:
        return label(record)
    return str(getattr(record, "name", "") or record.id)


def _m2m_values(model, records: list) -> dict[int, dict[str, frozenset]]:
    """For each historical record, the targets of each tracked many-to-many field."""
    names = [getattr(f, "name", f) for f in getattr(model, "_history_m2m_fields", [])]
    values: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    history_ids = [record.history_id for record in records]
    for name in names:
        target = model.instance_type._meta.get_field(name).m2m_reverse_field_name()
        rows = (
            getattr(model, name)
            .model.objects.filter(history_id__in=history_ids)
            .values_list("history_id", f"{target}_id")
        )
        for history_id, target_id in rows:
            values[history_id][name].add(target_id)
    return {
        record.history_id: {
            name: frozenset(values[record.history_id][name]) for name in names
        }
        for record in records
    }


def _entries(queryset: QuerySet) -> list[HistoryEntry]:
    model = queryset.model
    meta = model.instance_type._meta
    tracked = [f for f in meta.concrete_fields if f.name not in _IGNORED]
    related = getattr(model.instance_type, "history_related", ())
    records = list(
        queryset.select_related("history_user", *related).order_by(
            "history_date", "history_id"
        )
    )
    m2m = _m2m_values(model, records)
    previous: dict[int, object] = {}
    entries: list[HistoryEntry] = []
    last_entry: dict[int, HistoryEntry] = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None or record.history_type != "~":
            entry = HistoryEntry(
                when=record.history_date,
                who=_who(record),
                action=record.history_type,
                kind=str(meta.verbose_name),
                subject=_subject(model, record),
                reason=record.history_change_reason or "",
            )
            entries.append(entry)
            last_entry[record.id] = entry
            continue
        changed = [
            str(f.verbose_name)
            for f in tracked
            if getattr(before, f.attname) != getattr(record, f.attname)
        ] + [
            str(meta.get_field(name).verbose_name)
            for name, targets in m2m[record.history_id].items()
            if m2m[before.history_id][name] != targets
        ]
        if not changed:
            continue
        last = last_entry.get(record.id)
        if (
            last is not None
            and last.who == _who(record)
            and record.history_date - last.when <= _FOLD_WINDOW
        ):
            # One save through a form writes the fields, then the
            # many-to-many values: show them as one change.
            if last.action == "~":
                last.fields += [name for name in changed if name not in last.fields]
                last.when = record.history_date
            continue
        entry = HistoryEntry(
            when=record.history_date,
            who=_who(record),
            action="~",
            kind=str(meta.verbose_name),
            subject=_subject(model, record),
            fields=changed,
            reason=record.history_change_reason or "",
        )
        entries.append(entry)
        last_entry[record.id] = entry
    return entries


def entries_from(querysets: Iterable[QuerySet], *, limit: int) -> list[HistoryEntry]:
    """History entries of several historical querysets, newest first."""
    entries = [entry for queryset in querysets for entry in _entries(queryset)]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def history_for(objects: Iterable, *, limit: int = 50) -> list[HistoryEntry]:
    """History of the given model instances (each must have `.history`)."""
    return entries_from(
        [type(obj).history.filter(id=obj.pk) for obj in objects], limit=limit
    )
