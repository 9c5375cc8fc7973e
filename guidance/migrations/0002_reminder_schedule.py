"""The reminder of policy questions nearing their working-day deadline, every 15 minutes."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [PeriodicSpec("政策咨询到期提醒", "guidance.tasks.question_remind_task", every=15, period="minutes")]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
