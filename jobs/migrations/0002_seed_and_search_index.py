"""Seed data that staff then maintain: the occupation taxonomy, minimum-wage standards with the counties'
tiers (check against the province's current notice), the hourly expiry scan, and on PostgreSQL the GIN
index over the postings' search tokens (see jobs.search)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

from jobs.data_occupations import OCCUPATIONS

NOTICE = "山东省最低工资标准（初始数据，请按省政府最新通知核对）"
TIERS = [(1, Decimal("2200"), Decimal("22.00")), (2, Decimal("2000"), Decimal("20.00")), (3, Decimal("1800"), Decimal("18.00"))]
EFFECTIVE = dt.date(2025, 10, 1)
# Weifang's counties and their tiers.
COUNTY_TIERS = {
    "370702": 1, "370703": 1, "370704": 1, "370705": 1, "370781": 1, "370782": 1, "370783": 1, "370785": 1,
    "370724": 2, "370725": 2, "370784": 2, "370786": 2,
}


def forwards(apps, schema_editor):
    Occupation = apps.get_model("jobs", "Occupation")
    for i, (code, name, children) in enumerate(OCCUPATIONS):
        parent, _ = Occupation.objects.get_or_create(code=code, defaults={"name": name, "sort": i * 100})
        for j, (ccode, cname, licensed, minors) in enumerate(children):
            Occupation.objects.get_or_create(
                code=ccode,
                defaults={"name": cname, "parent": parent, "licensed": licensed, "minors_forbidden": minors, "sort": i * 100 + j + 1},
            )
    MinimumWageTier = apps.get_model("jobs", "MinimumWageTier")
    for tier, monthly, hourly in TIERS:
        MinimumWageTier.objects.get_or_create(
            tier=tier, effective_from=EFFECTIVE, defaults={"monthly": monthly, "hourly": hourly, "notice": NOTICE}
        )
    CountyWageTier = apps.get_model("jobs", "CountyWageTier")
    for code, tier in COUNTY_TIERS.items():
        CountyWageTier.objects.get_or_create(county_code=code, effective_from=EFFECTIVE, defaults={"tier": tier})
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(name="招聘信息到期处理", defaults={"task": "jobs.tasks.posting_expire_task", "interval": every})


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS posting_search_tokens_gin ON jobs_posting "
            "USING gin (array_to_tsvector(string_to_array(search_tokens, ' ')))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS posting_search_tokens_gin")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
