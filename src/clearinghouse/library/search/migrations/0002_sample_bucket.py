"""Sample buckets for broad searches (PostgreSQL; nothing elsewhere).

Each search entry gets the bucket `base.sample_bucket` gives its id: the top
six bits of the id times 0x9E3779B97F4A7C15 modulo 2**64, computed here in
numeric arithmetic since bigint would overflow. The `head` vector (title and
summary), which ranked broad searches before sampling did, goes.
"""

from django.db import migrations

ADD_SQL = """
ALTER TABLE library_search_entry ADD COLUMN IF NOT EXISTS bucket smallint NOT NULL DEFAULT 0;
UPDATE library_search_entry SET bucket = floor(
    mod(id::numeric * 11400714819323198485, 18446744073709551616)
    / 288230376151711744
)::smallint;
CREATE INDEX IF NOT EXISTS library_search_entry_bucket ON library_search_entry (bucket);
ALTER TABLE library_search_entry DROP COLUMN IF EXISTS head;
"""
# Back: the head column is empty until `clearinghouse reindex` refills it.
DROP_SQL = """
DROP INDEX IF EXISTS library_search_entry_bucket;
ALTER TABLE library_search_entry DROP COLUMN IF EXISTS bucket;
ALTER TABLE library_search_entry ADD COLUMN IF NOT EXISTS head tsvector NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS library_search_entry_head ON library_search_entry USING gin (head);
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("library_search", "0001_postgresql_search_table")]
    operations = [migrations.RunPython(add, drop)]
