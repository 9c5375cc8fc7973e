"""Default periodic tasks of the outbox (ADR 0013): the relay's scan every 5 seconds (rows whose kick on
commit did not publish them: the broker was down, or the process died after the commit) and the daily purge
of sent outbox rows and old delivery rows."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec("任务发件箱补发", "core.tasks.outbox_relay_task", every=5, period="seconds"),
    PeriodicSpec("任务发件箱与消息投递清理", "core.tasks.outbox_purge_task", crontab={"minute": "50", "hour": "3"}),
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_outbox_deliveries_dead_tasks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
