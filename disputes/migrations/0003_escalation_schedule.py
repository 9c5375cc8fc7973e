"""The escalation of case clocks at 80 % and 100 % of their time, every 15 minutes."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [PeriodicSpec("投诉案件时限督办", "disputes.tasks.case_escalate_task", every=15, period="minutes")]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0002_clock_and_routing_rules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
