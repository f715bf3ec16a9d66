"""Copy every record from one database into another: the move from the
embedded SQLite installation to PostgreSQL (or back).

The target must be migrated and hold no records yet, beyond what `migrate`
creates: content types and permissions, matched by their natural keys rather
than copied (their ids differ between databases), and the rows of data
migrations, which must equal the source's. Records
are copied model by model in dependency order, through Django's serializers
with natural foreign keys, inside one transaction on the target: the move is
complete or nothing is written. History rows (django-simple-history) are
models like the others, so the public history moves too. On PostgreSQL the
id sequences are reset afterwards so that new records get fresh ids.
"""

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import environ
from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import connections, models, router, transaction
from django.test.utils import override_settings

# Created by `migrate` in every database and matched by natural key instead.
_SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
_BATCH = 1000


class TransferError(Exception):
    """The copy cannot be done; the message says why. Nothing was written."""


@dataclass
class TransferReport:
    """How many records of each model were copied."""

    copied: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.copied.values())


def database_alias_add(alias: str, url: str) -> str:
    """Register a database given by URL under `alias` for this process."""
    try:
        with warnings.catch_warnings():
            # django-environ warns and goes on for a scheme it does not know.
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises bare exceptions for bad URLs
        raise TransferError(f"Not a database URL: {url!r} ({exc})") from exc
    if not config.get("ENGINE"):
        raise TransferError(
            f"Not a database URL: {url!r} (use sqlite:////path or postgres://…)"
        )
    if config.get("ENGINE") == "django.db.backends.sqlite3" and not (
        Path(config.get("NAME") or "").is_file()
    ):
        # Connecting would create an empty file; say what is wrong instead.
        raise TransferError(f"No SQLite database at {config.get('NAME')!r}.")
    # configure_settings() fills in the defaults; it wants a "default" entry.
    configured = connections.configure_settings({"default": config})["default"]
    connections.settings[alias] = configured
    # Drop a connection opened earlier under this alias, if any.
    if alias in connections:
        connections[alias].close()
        del connections[alias]
    return alias


def copied_models() -> list[type[models.Model]]:
    """Every concrete model with rows of its own, parents before children."""
    app_models = {
        app: [
            model
            for model in app.get_models()
            if not model._meta.proxy and model._meta.label_lower not in _SKIPPED
        ]
        for app in apps.get_app_configs()
    }
    ordered = serializers.sort_dependencies(app_models.items(), allow_cycles=True)
    return [model for model in ordered if model._meta.managed]


def _records(model, alias: str, skipped_pks=None) -> Iterator:
    queryset = model._default_manager.using(alias).order_by("pk")
    if skipped_pks:
        queryset = queryset.exclude(pk__in=skipped_pks)
    return serializers.serialize(
        "python",
        queryset.iterator(chunk_size=_BATCH),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=False,
    )


def _rows_made_by_migrate(source: str, target: str, model_list) -> dict:
    """The rows the target holds already, by model: {model: set of pks}.

    A freshly migrated database holds the rows that data migrations create
    (the matrix's roles, for example). Those are allowed when the source
    holds the very same rows; any other record in the target refuses the copy.
    """
    present, holding = {}, []
    for model in model_list:
        target_rows = {
            row["pk"]: row
            for row in model._default_manager.using(target).values(
                "pk", *_fields(model)
            )
        }
        if not target_rows:
            continue
        source_rows = {
            row["pk"]: row
            for row in model._default_manager.using(source)
            .filter(pk__in=list(target_rows))
            .values("pk", *_fields(model))
        }
        if source_rows != target_rows:
            holding.append(model._meta.label)
        present[model] = set(target_rows)
    if holding:
        raise TransferError(
            "The target database already holds records ("
            + ", ".join(holding[:5])
            + (", …" if len(holding) > 5 else "")
            + "): copy only into a freshly migrated, empty database."
        )
    return present


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def data_copy(
    *,
    source: str,
    target: str = "default",
    progress: Callable[[str, int], None] | None = None,
) -> TransferReport:
    """Copy every record from the `source` alias into the `target` alias."""
    if source == target:
        raise TransferError("The source and the target are the same database.")
    model_list = copied_models()
    present = _rows_made_by_migrate(source, target, model_list)
    report = TransferReport()
    # History rows are copied as they are: saving must not write new ones.
    with (
        override_settings(SIMPLE_HISTORY_ENABLED=False),
        transaction.atomic(using=target),
    ):
        for model in model_list:
            if not router.allow_migrate_model(target, model):
                continue
            count = 0
            objects = serializers.deserialize(
                "python", _records(model, source, present.get(model)), using=target
            )
            batch = []
            for deserialized in objects:
                batch.append(deserialized)
                if len(batch) >= _BATCH:
                    count += _save(batch, target)
                    batch = []
            count += _save(batch, target)
            if count:
                report.copied[model._meta.label] = count
                if progress:
                    progress(model._meta.label, count)
        connection = connections[target]
        statements = connection.ops.sequence_reset_sql(no_style(), model_list)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    return report


def _save(batch, target: str) -> int:
    for deserialized in batch:
        # Raw saves: no signals, no auto_now, values exactly as stored.
        deserialized.save(using=target)
    return len(batch)


def data_compare(*, source: str, target: str) -> dict[str, tuple[int, int]]:
    """Models whose row counts differ between two databases: {label: (s, t)}."""
    differences = {}
    for model in copied_models():
        counts = (
            model._default_manager.using(source).count(),
            model._default_manager.using(target).count(),
        )
        if counts[0] != counts[1]:
            differences[model._meta.label] = counts
    return differences
