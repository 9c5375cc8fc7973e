"""The job search's index covers its filters and its order (issue 6): published postings by occupation and
place, with the dates, the daily wage and the id included, so the page's ids come from an index-only scan and
only the page's rows are read (the keyset paginator's late row lookup). PostgreSQL only (covering indexes);
it replaces the plain composite index of 0010."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS posting_published_occ_geo_cover ON jobs_posting "
    "(occupation_id, lat, lng, work_end_date) INCLUDE (work_start_date, daily_wage, id) "
    "WHERE status = 'published'"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS posting_published_occ_geo_cover")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0015_workerprofile_reach_index")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveIndex(model_name="posting", name="posting_published_occ_geo"),
    ]
