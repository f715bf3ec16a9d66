"""Load a dataset once per test session and replay its rows in each test.

Loading the Forum 2004 dataset through its loader runs thousands of queries
(validation, history, idempotence checks). Tests that only need the data
present replay the rows it wrote instead: one bulk INSERT per table. The
loader itself keeps its own tests, which call it directly.
"""

from collections import defaultdict

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


class Snapshot:
    """The rows a callable writes, captured in a transaction rolled back after."""

    def __init__(self, load) -> None:
        self.tables: list[tuple[type, list]] = []
        self.m2m: list[tuple[type, list]] = []
        # Foreign keys are checked at commit (deferred), so order is free.
        models = [
            model
            for app in apps.get_app_configs()
            for model in app.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        ]
        with transaction.atomic():
            before = {
                model: set(model._base_manager.values_list("pk", flat=True))
                for model in models
            }
            load()
            for model in models:
                new = [
                    obj
                    for obj in model._base_manager.order_by("pk")
                    if obj.pk not in before[model]
                ]
                if new:
                    self.tables.append((model, new))
            transaction.set_rollback(True)
        self._models = [model for model, _rows in self.tables]

    def replay(self, load) -> None:
        """Insert the captured rows into the test's database; if the test
        wrote to those tables already (ids would collide), run `load` instead."""
        if any(model._base_manager.exists() for model in self._models):
            load()
            return
        for model, rows in self.tables:
            model._base_manager.bulk_create(rows)
        statements = connection.ops.sequence_reset_sql(no_style(), self._models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def rows_by_table(snapshot: Snapshot) -> dict[str, int]:
    """How many rows of each table the snapshot holds (for checks)."""
    counts = defaultdict(int)
    for model, rows in snapshot.tables:
        counts[model._meta.db_table] += len(rows)
    return dict(counts)
