"""The history copies of the document's search and foreign keys lose their indexes.

Only the indexes are dropped (their names are Django's for these columns; on
PostgreSQL a text column also had a `_like` index): altering the fields would
rebuild the whole history table on SQLite, once per field. Going back builds
them again as Django builds a field's indexes. See decision record 0007, §24.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Field name -> the index Django named for its column.
INDEXES = {
    "title_key": "library_historicaldocument_title_key_d984fa5c",
    "date": "library_historicaldocument_date_954a16ac",
    "canonical_url": "library_historicaldocument_canonical_url_5c22ec47",
    "doi": "library_historicaldocument_doi_9e3c0833",
    "status": "library_historicaldocument_status_ebe16fb7",
    "updated_at": "library_historicaldocument_updated_at_b8afc948",
    "jurisdiction_country": "library_historicaldocument_jurisdiction_country_id_43ba1b4d",
    "jurisdiction_region": "library_historicaldocument_jurisdiction_region_id_8d1b150d",
    "submitted_by": "library_historicaldocument_submitted_by_id_b6c7654b",
}


def drop_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in INDEXES.values():
        for index in (name, f"{name}_like"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index)}")


def create_indexes(apps, schema_editor):
    model = apps.get_model("library", "HistoricalDocument")
    for field_name in INDEXES:
        field = model._meta.get_field(field_name)
        for statement in schema_editor._field_indexes_sql(model, field):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_ratewindow"),
        ("library", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_indexes, create_indexes),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="canonical_url",
                    field=models.CharField(
                        blank=True,
                        editable=False,
                        max_length=1000,
                        verbose_name="canonical web address",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="date",
                    field=models.DateField(blank=True, null=True, verbose_name="date"),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="doi",
                    field=models.CharField(
                        blank=True, editable=False, max_length=300, verbose_name="DOI"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="jurisdiction_country",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.country",
                        verbose_name="jurisdiction (country or area)",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="jurisdiction_region",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.region",
                        verbose_name="jurisdiction (region)",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted for review"),
                            ("published", "Published"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="submitted_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="title_key",
                    field=models.CharField(
                        blank=True,
                        editable=False,
                        max_length=500,
                        verbose_name="title for matching",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaldocument",
                    name="updated_at",
                    field=models.DateTimeField(
                        blank=True, editable=False, verbose_name="updated at"
                    ),
                ),
            ],
        ),
    ]
