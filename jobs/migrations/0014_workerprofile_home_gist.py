"""A GiST index over workers' home points for nearest-first candidate search (jobs.matching.HomeNearest,
issue 6). PostgreSQL only: SQLite orders candidates by the computed distance instead."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS workerprofile_home_gist ON jobs_workerprofile "
            "USING gist (point(home_lng, home_lat))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS workerprofile_home_gist")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0013_posting_published_tokens_gin")]
    operations = [migrations.RunPython(forwards, backwards)]
