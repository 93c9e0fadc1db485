"""A GIN index for PostgreSQL full-text search over a reflection's own free text.

The indexed expression is exactly what `reflections.selectors._search` builds with
`SearchVector(*SEARCH_FIELDS, config="english")`, so the planner can use it; change both
together (tests/reflections/test_list_search_index.py checks they still match). SQLite has
no such index and searches with a simpler fallback, so nothing happens there. The index is
raw SQL rather than a model `Meta.indexes` entry so the model state, and therefore
`makemigrations`, is the same on every database.
"""

from django.db import migrations

INDEX_NAME = "reflection_text_search"
FIELDS = ("what_happened", "how_i_felt", "went_well", "was_hard", "unintended_effects", "learning")
DOCUMENT = " || ' ' || ".join(f"COALESCE(\"{name}\", '')" for name in FIELDS)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "reflections_reflection" '
        f"USING GIN (to_tsvector('english'::regconfig, {DOCUMENT}))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):
    dependencies = [
        ("reflections", "0002_amendments_and_privacy_confirmations"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
