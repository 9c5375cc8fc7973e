"""Default periodic tasks of work and pay (carried over from the reset history, ADR 0012): the day-before
reminder (and the unconfirmed flag to employers) every hour, the approval-deadline scan every 15 minutes, the
hourly wage-arrears scan (which also fails online payments pending past the provider's timeout), and the
nightly safety net of the workers' stored reliability and rating."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec("用工单到岗提醒", "work.tasks.work_order_remind_task", every=1, period="hours"),
    PeriodicSpec("用工单超时自动确认", "work.tasks.work_order_auto_approve_task", every=15, period="minutes"),
    PeriodicSpec("欠薪预警扫描", "work.tasks.arrears_scan_task", every=1, period="hours"),
    PeriodicSpec(
        "劳动者完工率与评分（近两日变动）",
        "work.tasks.worker_records_refresh_task",
        crontab={"minute": "30", "hour": "3"},
    ),
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [("work", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
