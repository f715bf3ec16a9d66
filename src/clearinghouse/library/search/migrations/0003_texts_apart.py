"""The texts shown in snippets move to their own table (PostgreSQL only).

A count or the facets of a broad search visit the heap rows of every match
(or of every sampled match); without the texts, a row is a few hundred bytes
instead of kilobytes (decision record 0005).
"""

from django.db import migrations

APART_SQL = """
CREATE TABLE IF NOT EXISTS library_search_text (
    id bigint PRIMARY KEY,
    title text NOT NULL DEFAULT '',
    summary text NOT NULL DEFAULT '',
    body text NOT NULL DEFAULT ''
);
INSERT INTO library_search_text (id, title, summary, body)
    SELECT id, title, summary, body FROM library_search_entry;
ALTER TABLE library_search_entry
    DROP COLUMN title, DROP COLUMN summary, DROP COLUMN body;
"""
TOGETHER_SQL = """
ALTER TABLE library_search_entry
    ADD COLUMN title text NOT NULL DEFAULT '',
    ADD COLUMN summary text NOT NULL DEFAULT '',
    ADD COLUMN body text NOT NULL DEFAULT '';
UPDATE library_search_entry AS e SET title = t.title, summary = t.summary,
    body = t.body FROM library_search_text AS t WHERE t.id = e.id;
DROP TABLE library_search_text;
"""


def apart(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APART_SQL)


def together(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TOGETHER_SQL)


class Migration(migrations.Migration):
    dependencies = [("library_search", "0002_sample_bucket")]
    operations = [migrations.RunPython(apart, together)]
