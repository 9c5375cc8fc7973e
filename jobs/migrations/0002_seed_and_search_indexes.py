"""What the labour market needs from its first migration on (ADR 0012 carried these over from the reset
history): the occupation taxonomy that staff then maintain, the hourly expiry scan, and on PostgreSQL the
search and matching indexes of ADR 0011 — the GIN index over published postings' search tokens
(jobs.search), the covering index of the job search (occupation and place, dates, wage and id included, so
the page's ids come from an index-only scan) and the GiST index over workers' home points (nearest-first
candidates in jobs.matching). SQLite has none of these and stays correct without them."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed
from jobs.data_occupations import OCCUPATIONS

SCHEDULES = [PeriodicSpec("招聘信息到期处理", "jobs.tasks.posting_expire_task", every=1, period="hours")]

INDEXES = {
    "posting_published_tokens_gin": (
        "CREATE INDEX IF NOT EXISTS posting_published_tokens_gin ON jobs_posting "
        "USING gin (array_to_tsvector(string_to_array(search_tokens, ' '))) WHERE status = 'published'"
    ),
    "posting_published_occ_geo_cover": (
        "CREATE INDEX IF NOT EXISTS posting_published_occ_geo_cover ON jobs_posting "
        "(occupation_id, lat, lng, work_end_date) INCLUDE (work_start_date, daily_wage, id) "
        "WHERE status = 'published'"
    ),
    "workerprofile_home_gist": (
        "CREATE INDEX IF NOT EXISTS workerprofile_home_gist ON jobs_workerprofile "
        "USING gist (point(home_lng, home_lat))"
    ),
}


def forwards(apps, schema_editor):
    """The occupation taxonomy (also called by the tests after a flush, with no schema editor)."""
    Occupation = apps.get_model("jobs", "Occupation")
    for i, (code, name, children) in enumerate(OCCUPATIONS):
        parent, _ = Occupation.objects.get_or_create(code=code, defaults={"name": name, "sort": i * 100})
        for j, (ccode, cname, licensed, minors) in enumerate(children):
            Occupation.objects.get_or_create(
                code=ccode,
                defaults={"name": cname, "parent": parent, "licensed": licensed, "minors_forbidden": minors, "sort": i * 100 + j + 1},
            )


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES.values():
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
