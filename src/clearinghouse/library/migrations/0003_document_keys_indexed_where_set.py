"""The document's keys that most documents leave empty are indexed where set;
the publisher links lose an index that repeats the start of another.

- `jurisdiction_country`, `jurisdiction_region` and `submitted_by` are empty
  on every harvested document: their full indexes (one entry per document,
  each written by every insert) become partial ones on the documents that set
  them. A query by one of them implies it is set, so it still finds them.
- The links between documents and publishing institutions had an index on the
  document's key besides the unique one on (document, institution), which
  starts with the same key and serves the same lookups.

Only the indexes are dropped (by the names Django gave them; on PostgreSQL a
text key, the region's code, also had a `_like` index): altering the fields
would rebuild the whole document table on SQLite. Going back builds them again
as Django builds a field's indexes. See decision record 0007, §35.
"""

import copy

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Field name -> the index Django named for its column.
INDEXES = {
    "jurisdiction_country": "library_document_jurisdiction_country_id_4437c375",
    "jurisdiction_region": "library_document_jurisdiction_region_id_11bccc4e",
    "submitted_by": "library_document_submitted_by_id_8067a065",
}
LINKS_BY_DOCUMENT = "library_document_institutions_document_id_37d828e1"


def drop_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in (*INDEXES.values(), LINKS_BY_DOCUMENT):
        for index in (name, f"{name}_like"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index)}")


def create_indexes(apps, schema_editor):
    model = apps.get_model("library", "Document")
    for field_name in INDEXES:
        field = model._meta.get_field(field_name)
        # The field as it was (indexed), to build its indexes as Django did.
        indexed = copy.copy(field)
        indexed.db_index = True
        for statement in schema_editor._field_indexes_sql(model, indexed):
            schema_editor.execute(statement)
    links = model._meta.get_field("institutions").remote_field.through
    document = links._meta.get_field("document")
    for statement in schema_editor._field_indexes_sql(links, document):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0002_focalpoint"),
        ("core", "0003_ratewindow"),
        ("library", "0002_history_without_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_indexes, create_indexes),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="document",
                    name="jurisdiction_country",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.country",
                        verbose_name="jurisdiction (country or area)",
                    ),
                ),
                migrations.AlterField(
                    model_name="document",
                    name="jurisdiction_region",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.region",
                        verbose_name="jurisdiction (region)",
                    ),
                ),
                migrations.AlterField(
                    model_name="document",
                    name="submitted_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="library_documents",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("jurisdiction_country__isnull", False)),
                fields=["jurisdiction_country"],
                name="library_document_country_set",
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("jurisdiction_region__isnull", False)),
                fields=["jurisdiction_region"],
                name="library_document_region_set",
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("submitted_by__isnull", False)),
                fields=["submitted_by"],
                name="library_document_submitter_set",
            ),
        ),
    ]
