"""The keyword index covers published postings only (issue 6): the public searches, which are nearly all of
them, read a third of the posting lists (at province scale a common word such as 日结 is in a sixth of all
postings). Staff searches over every status fall back to the county index and the substring check."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS posting_published_tokens_gin ON jobs_posting "
    "USING gin (array_to_tsvector(string_to_array(search_tokens, ' '))) WHERE status = 'published'"
)
FULL = (
    "CREATE INDEX IF NOT EXISTS posting_search_tokens_gin ON jobs_posting "
    "USING gin (array_to_tsvector(string_to_array(search_tokens, ' ')))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("DROP INDEX IF EXISTS posting_search_tokens_gin")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FULL)
        schema_editor.execute("DROP INDEX IF EXISTS posting_published_tokens_gin")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0012_posting_published_geo_index")]
    operations = [migrations.RunPython(forwards, backwards)]
