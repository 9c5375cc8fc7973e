"""The daily purge of used-up SMS codes (they hold a mobile number; the rate limits look back one day)."""

from django.db import migrations

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec("短信验证码到期清理", "accounts.tasks.phone_code_purge_task", crontab={"minute": "10", "hour": "4"})
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_privacy_notice_v1"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
