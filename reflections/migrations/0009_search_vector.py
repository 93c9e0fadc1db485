"""A stored, indexed full-text document per reflection, searched one worker at a time.

`evidence_text` is a copy of the reflection's evidence lines (context ratings' evidence,
chains' words, outcome observations), kept by reflections.services; it is filled here for
the reflections that already exist. `search_vector` is a generated column over the own texts
(weight A) and that copy (weight B): a tsvector on PostgreSQL, NULL elsewhere.

On PostgreSQL the index leads with the author, so a search starts from the worker's own rows
however large the table: a GIN index over `(author_id, search_vector)`, which needs the
btree_gin extension (in contrib; trusted, so a database owner may create it). Where the
extension cannot be created, a GIN index over the vector alone; the author's btree index
still serves a small history. It replaces 0003's expression index, which recomputed
`to_tsvector` for every row it checked. Also on PostgreSQL, the worker's newest-first index
includes the organisation and person label (SQLite has no INCLUDE), so counting a worker's
list reads that index alone.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import reflections.models

RELATED = (
    ("reflections_contextrating", "evidence"),
    ("reflections_chain", "description"),
    ("reflections_outcomeobservation", "observation"),
)
INDEX_NAME = "reflection_author_search"
NEWEST_NAME = "reflection_author_newest"
OLD_INDEX_NAME = "reflection_text_search"
OLD_FIELDS = ("what_happened", "how_i_felt", "went_well", "was_hard", "unintended_effects", "learning")


def fill_evidence_text(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    newline = "E'\\n'" if postgres else "char(10)"
    joined = "string_agg" if postgres else "group_concat"
    parts = [
        f"(SELECT {joined}(\"{column}\", {newline}) FROM \"{table}\" "
        f"WHERE reflection_id = reflections_reflection.id AND \"{column}\" <> '')"
        for table, column in RELATED
    ]
    glued = f" || {newline} || ".join(f"COALESCE({part}, '')" for part in parts)
    schema_editor.execute(f'UPDATE "reflections_reflection" SET "evidence_text" = TRIM({glued}, {newline})')


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD_INDEX_NAME}"')
    columns = '"search_vector"'
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gin'")
        installed = cursor.fetchone() is not None
        if not installed:
            try:
                # A savepoint: a refusal (no privilege, no contrib) must not abort the migration.
                cursor.execute("SAVEPOINT btree_gin")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
                cursor.execute("RELEASE SAVEPOINT btree_gin")
                installed = True
            except Exception:  # noqa: BLE001
                cursor.execute("ROLLBACK TO SAVEPOINT btree_gin")
    if installed:
        columns = '"author_id", "search_vector"'
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "reflections_reflection" USING GIN ({columns})'
    )
    # The newest-first index, covering what the list's count joins on: an index-only scan.
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NEWEST_NAME}"')
    schema_editor.execute(
        f'CREATE INDEX "{NEWEST_NAME}" ON "reflections_reflection" '
        '("author_id", "session_date" DESC, "id" DESC) INCLUDE ("organisation_id", "person_label")'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')
    # The plain newest-first index again, as the AddIndex before expects to remove it.
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NEWEST_NAME}"')
    schema_editor.execute(
        f'CREATE INDEX "{NEWEST_NAME}" ON "reflections_reflection" '
        '("author_id", "session_date" DESC, "id" DESC)'
    )
    document = " || ' ' || ".join(f"COALESCE(\"{name}\", '')" for name in OLD_FIELDS)
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX_NAME}" ON "reflections_reflection" '
        f"USING GIN (to_tsvector('english'::regconfig, {document}))"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reflections", "0008_action_author"),
    ]

    operations = [
        migrations.AddField(
            model_name="reflection",
            name="evidence_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="evidence lines, for search"
            ),
        ),
        migrations.RunPython(fill_evidence_text, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="reflection",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=reflections.models.SearchDocument(
                    own=(
                        "what_happened",
                        "how_i_felt",
                        "went_well",
                        "was_hard",
                        "unintended_effects",
                        "learning",
                    ),
                    related="evidence_text",
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.AddIndex(
            model_name="reflection",
            index=models.Index(
                fields=["author", "-session_date", "-id"], name="reflection_author_newest"
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
