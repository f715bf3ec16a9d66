"""Inserts in bulk below the ORM: one statement per table and batch.

The harvest writes thousands of rows a second (documents, their history,
provenances, issue tags, publisher links); building each INSERT through the
ORM costs more than executing it. Here the rows are plain tuples, adapted by
the connection's own operations (dates, datetimes, JSON), and written with
multi-row statements on the Django connection's cursor, inside the
caller's transaction. The SQL (`INSERT … VALUES`, `RETURNING`, `ON CONFLICT DO
NOTHING`) runs on SQLite (3.35 and later) and PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache, partial
from operator import attrgetter

from django.db import connections, models, router

_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}
# Rows per multi-row INSERT when the database sets no parameter limit.
ROWS_PER_STATEMENT = 1000


class Table:
    """The columns of a model's table (its automatic key left out) and how
    each value is adapted for one database connection."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        meta = model._meta
        self.fields = [
            f
            for f in meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField))
        ]
        self.attnames = [f.attname for f in self.fields]
        # An object's values in `attnames` order, as a tuple (one C call).
        get = attrgetter(*self.attnames)
        self.values_of = get if len(self.attnames) > 1 else lambda o: (get(o),)
        quote = connections[alias].ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.table = quote(meta.db_table)
        self.pk = quote(meta.pk.column)
        self.placeholders = f"({', '.join(['%s'] * len(self.fields))})"

    @property
    def connection(self):
        """This thread's connection to the table's database."""
        return connections[self.alias]

    def _adapters(self, connection) -> list[tuple[int, Callable]]:
        """How the columns that need it are adapted for this connection:
        (position, adapter) pairs; the other values go as they are."""
        adapters = []
        for n, field in enumerate(self.fields):
            kind = field.get_internal_type()
            if kind in _AS_IS:
                continue
            if kind == "DateTimeField":
                # A batch shares a few times (its "now"): each adapted once.
                adapt = lru_cache(256)(connection.ops.adapt_datetimefield_value)
            elif kind == "DateField":
                adapt = lru_cache(256)(connection.ops.adapt_datefield_value)
            elif kind == "JSONField":
                adapt = partial(connection.ops.adapt_json_value, encoder=field.encoder)
            else:
                adapt = partial(_prep, field, connection)
            adapters.append((n, adapt))
        return adapters

    def _row(self, values: Sequence, adapters: list[tuple[int, Callable]]) -> tuple:
        if len(values) != len(self.fields):
            raise ValueError(f"{len(values)} values for {len(self.fields)} columns")
        row = list(values)
        for n, adapt in adapters:
            if row[n] is not None:
                row[n] = adapt(row[n])
        return tuple(row)

    def adapt(self, rows: Iterable[Sequence]) -> list[tuple]:
        """Rows (values in `attnames` order) adapted for this connection."""
        adapters = self._adapters(self.connection)
        if adapters:
            return [self._row(values, adapters) for values in rows]
        # Nothing to adapt (keys, numbers, texts): each row as it is.
        rows = [tuple(values) for values in rows]
        width = len(self.fields)
        if any(len(row) != width for row in rows):
            raise ValueError(f"a row of other than {width} values")
        return rows

    def insert(self, rows: Iterable[Sequence], *, ignore_conflicts=False) -> None:
        """Insert rows (values in `attnames` order), as many a statement as
        the database's parameter limit allows: one multi-row `INSERT …
        VALUES` costs the database half of `executemany`'s one statement a
        row (a page of provenances: 2.5 µs a row against 5.0 on SQLite)."""
        self._insert(rows, " ON CONFLICT DO NOTHING" if ignore_conflicts else "")

    def insert_returning_keys(self, rows: Sequence[Sequence]) -> list[int]:
        """Insert rows and return their new primary keys, in the rows' order.

        Multi-row `INSERT … RETURNING` (rows come back in the order given, as
        the ORM's own bulk_create also relies on), as many rows per statement
        as the database's parameter limit allows.
        """
        keys = self._insert(rows, f" RETURNING {self.pk}", returning=True)
        if len(keys) != len(rows):  # pragma: no cover (a database's broken promise)
            raise RuntimeError("INSERT … RETURNING returned another number of rows")
        return keys

    def _insert(
        self, rows: Iterable[Sequence], suffix: str, *, returning: bool = False
    ) -> list[int]:
        """Run the multi-row `INSERT … VALUES` (and `suffix`) of the rows,
        adapted, in as few statements as the database's parameter limit
        allows (at most ROWS_PER_STATEMENT where it sets none); with
        `returning`, the first column of what each statement returns. No
        statement for no rows."""
        rows = self.adapt(rows)
        returned: list[int] = []
        if not rows:
            return returned
        limit = max_params(self.connection)
        per = ROWS_PER_STATEMENT
        if limit:
            per = max(1, min(per, limit // len(self.fields)))
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                # Names from the model's meta, quoted; every value a parameter.
                execute(
                    cursor,
                    f"INSERT INTO {self.table} ({self.columns}) VALUES "  # noqa: S608
                    f"{', '.join([self.placeholders] * len(chunk))}{suffix}",
                    [value for row in chunk for value in row],
                )
                if returning:
                    returned.extend(row[0] for row in cursor.fetchall())
        return returned

    def copy_rows(self, source: Table, keys: Sequence[int], own: dict) -> None:
        """Insert into this table a copy of each of `source`'s rows with these
        keys, made by the database (`INSERT … SELECT`, in key order):
        each of this table's columns takes the source's column of the same
        name (the source's key for this table's column named as that key),
        or else its value in `own` (None if absent) — a history row of each
        object, for instance, with the history's own columns in `own`. The
        values stay as stored: nothing is read back, built or adapted in
        Python, and the copy is exactly what the rows hold."""
        if not keys:
            return
        connection = self.connection
        quote = connection.ops.quote_name
        by_name = {f.attname: f.column for f in source.model._meta.concrete_fields}
        selected, own_params = [], []
        for field in self.fields:
            if field.attname in by_name:
                selected.append(quote(by_name[field.attname]))
            else:
                selected.append("%s")
                own_params.append(own.get(field.attname))
        limit = max_params(connection)
        per = (limit - len(own_params)) if limit else len(keys)
        with connection.cursor() as cursor:
            for start in range(0, len(keys), per):
                chunk = keys[start : start + per]
                # Names from the models' meta, quoted; every value a parameter.
                execute(
                    cursor,
                    f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608
                    f"SELECT {', '.join(selected)} FROM {source.table} "
                    f"WHERE {source.pk} IN ({', '.join(['%s'] * len(chunk))}) "
                    f"ORDER BY {source.pk}",
                    [*own_params, *chunk],
                )


def execute(cursor, sql: str, params: Sequence) -> None:
    """`cursor.execute(sql, params)` for a statement of many "%s" placeholders
    (a Django cursor). On SQLite, unless queries are being logged, the
    statement goes to sqlite3 with "?" ones already, through the connection's
    execute wrappers as Django's would: Django's SQLite cursor converts every
    statement it is given again, a millisecond for a page's 10,000
    placeholders (a tenth of a record's writes). A logged statement keeps
    Django's path, whose log substitutes "%s"."""
    connection = cursor.db
    converted = _qmark(sql)
    if connection.vendor != "sqlite" or connection.queries_logged or converted is None:
        cursor.execute(sql, params)
        return
    raw = cursor.cursor  # Django's SQLite cursor, a sqlite3.Cursor

    def run(sql, params, many, context):
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            return sqlite3.Cursor.execute(raw, sql, params)

    executor = run
    for wrapper in reversed(connection.execute_wrappers):
        executor = partial(wrapper, executor)
    executor(converted, params, False, {"connection": connection, "cursor": cursor})


@lru_cache(maxsize=64)
def _qmark(sql: str) -> str | None:
    """A statement of "%s" placeholders in sqlite3's "?" style, as Django's
    SQLite cursor converts it; None if it holds any other "%" (a literal, an
    escaped one), left to Django's conversion."""
    if "%" in sql.replace("%s", ""):
        return None
    return sql.replace("%s", "?")


def max_params(connection) -> int | None:
    """The most parameters one statement may take on this connection: on
    SQLite its own limit (Django assumes 999, SQLite's default before 3.32;
    32,766 by default since; a page of documents then goes in one statement
    instead of about fifteen), else the backend's (None: no limit)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params


def _prep(field: models.Field, connection, value):
    return field.get_db_prep_save(value, connection)


@cache
def table(model: type[models.Model], alias: str) -> Table:
    """The (cached) table of a model on a database."""
    return Table(model, alias)


def table_for(model: type[models.Model]) -> Table:
    """The table of a model on the database it is written to."""
    return table(model, router.db_for_write(model))


def supported(model: type[models.Model]) -> bool:
    """Whether rows of this model can be inserted here (RETURNING available)."""
    connection = connections[router.db_for_write(model)]
    return connection.features.can_return_rows_from_bulk_insert
