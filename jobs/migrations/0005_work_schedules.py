"""Default periodic tasks for work orders: the day-before reminder (and the unconfirmed flag to employers)
every hour, and the approval-deadline scan every 15 minutes. Created once, so staff edits in
django-celery-beat survive restarts."""

from django.db import migrations

TASKS = [
    ("用工单到岗提醒", "jobs.tasks.work_order_remind_task", 1, "hours"),
    ("用工单超时自动确认", "jobs.tasks.work_order_auto_approve_task", 15, "minutes"),
]


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in TASKS:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": interval})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0004_work_and_pay"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forwards, backwards)]
