"""The daily conclusion of the public notices (00:30 Asia/Shanghai): the applications whose notice ended
the day before with no open or upheld objection are approved (ADR 0030)."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec(
        "补贴公示期满每日办结", "subsidies.tasks.notices_conclude_task", crontab={"minute": "30", "hour": "0"}
    )
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0003_applications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
