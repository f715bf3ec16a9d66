"""The PostgreSQL search table and its indexes (nothing on other databases)."""

from django.db import migrations

# The table as this migration first made it (later migrations change it).
CREATE_SQL = """
CREATE TABLE IF NOT EXISTS library_search_entry (
    id bigint PRIMARY KEY,
    language text NOT NULL DEFAULT '',
    day integer,
    title text NOT NULL DEFAULT '',
    summary text NOT NULL DEFAULT '',
    body text NOT NULL DEFAULT '',
    facets text[] NOT NULL DEFAULT '{}',
    head tsvector NOT NULL,
    vector tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS library_search_entry_vector
    ON library_search_entry USING gin (vector);
CREATE INDEX IF NOT EXISTS library_search_entry_head
    ON library_search_entry USING gin (head);
CREATE INDEX IF NOT EXISTS library_search_entry_facets
    ON library_search_entry USING gin (facets);
CREATE INDEX IF NOT EXISTS library_search_entry_day
    ON library_search_entry (day DESC NULLS LAST, id DESC);
"""
DROP_SQL = "DROP TABLE IF EXISTS library_search_entry"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
