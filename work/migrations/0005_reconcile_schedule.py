"""The periodic reconciliation of online payments whose callback never came (ADR 0018), every 5 minutes."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec("在线支付对账查询", "work.tasks.payment_reconcile_task", every=5, period="minutes"),
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [("work", "0004_online_gateways_and_refunds"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
