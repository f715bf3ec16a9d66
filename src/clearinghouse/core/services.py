"""Writes to core: loading the country and region reference data."""

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .languages import translated_values
from .models import Country, Region

logger = logging.getLogger(__name__)


@dataclass
class LoadReport:
    """What a loader created, changed and left as it was."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    # Recorded as the change reason in the public history of what is written.
    reason: str = ""

    def count(self, kind: str, outcome: str) -> None:
        """Add one record of `kind` to the `outcome` tally."""
        tally = getattr(self, outcome)
        tally[kind] = tally.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        """Human-readable summary lines, one per kind of record."""
        kinds = sorted({*self.created, *self.updated, *self.unchanged})
        return [
            f"{kind}: {self.created.get(kind, 0)} created, "
            f"{self.updated.get(kind, 0)} updated, "
            f"{self.unchanged.get(kind, 0)} unchanged"
            for kind in kinds
        ]


def upsert(model, *, lookup: dict, values: dict, report: LoadReport, kind: str):
    """Create or update one record, saving only when a value differs.

    Saving only real changes keeps a re-run from writing anything, so change
    history does not grow when the same data is loaded twice.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        if report.reason:
            obj._change_reason = report.reason
        obj.full_clean()
        obj.save()
        report.count(kind, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        if report.reason:
            obj._change_reason = report.reason
        obj.full_clean()
        obj.save()
        report.count(kind, "updated")
    else:
        report.count(kind, "unchanged")
    return obj


def _flag(value: str) -> bool:
    return value.strip() == "1"


@transaction.atomic
def reference_data_load(*, data_dir: Path) -> LoadReport:
    """Load UN M49 regions and ISO 3166-1 countries from data/core/*.csv."""
    report = LoadReport()
    with (data_dir / "regions.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # Parents first: regions, then sub-regions, then intermediate regions.
    order = {"region": 0, "subregion": 1, "intermediate": 2}
    for row in sorted(rows, key=lambda r: order[r["kind"]]):
        upsert(
            Region,
            lookup={"code": row["code"]},
            values={
                "kind": row["kind"],
                "parent_id": row["parent"] or None,
                **translated_values("name", _names(row)),
            },
            report=report,
            kind="regions",
        )
    with (data_dir / "countries.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            upsert(
                Country,
                lookup={"iso2": row["iso2"]},
                values={
                    "iso3": row["iso3"],
                    "numeric": row["numeric"],
                    "region_id": row["m49_region"] or None,
                    "subregion_id": row["m49_subregion"] or None,
                    "intermediate_region_id": row["m49_intermediate"] or None,
                    "development_status": row["development_status"],
                    "is_ldc": _flag(row["ldc"]),
                    "is_lldc": _flag(row["lldc"]),
                    "is_sids": _flag(row["sids"]),
                    **translated_values("name", _names(row)),
                },
                report=report,
                kind="countries",
            )
    logger.info("core.reference_data.loaded", extra={"report": report.lines()})
    return report


def _names(row: dict[str, str]) -> dict[str, str]:
    return {
        key.removeprefix("name_"): value
        for key, value in row.items()
        if key.startswith("name_")
    }
