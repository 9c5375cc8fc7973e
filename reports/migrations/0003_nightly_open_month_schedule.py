"""The nightly recompute of the open month's facts (02:30 Asia/Shanghai)."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec(
        "统计报表本月数据重算",
        "reports.tasks.compute_open_month_task",
        crontab={"minute": "30", "hour": "2"},
    )
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_seed_indicators"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
