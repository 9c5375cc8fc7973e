"""The default periodic task of the statistics (carried over from the reset history, ADR 0012): last month's
supply and demand and wage guidance draft, on day 1 at 02:00 (Asia/Shanghai)."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec(
        "工资指导价位与供求统计（上月）",
        "labour_stats.tasks.guidance_compute_task",
        crontab={"minute": "0", "hour": "2", "day_of_month": "1"},
    )
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [("labour_stats", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
