"""Default periodic tasks, seeded once by each app's data migration (so staff edits in django-celery-beat
survive restarts and deploys). A migration lists its tasks as ``PeriodicSpec``s and calls ``seed``/``unseed``
with its historical ``apps``. Task names are the registered Celery names (``tests/core/test_queue.py``
checks every seeded name)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PeriodicSpec:
    name: str  # what staff see in the admin
    task: str  # the registered task name, "<app>.tasks.<name>"
    every: int | None = None  # an interval …
    period: str = ""  # … of "minutes", "hours", "days"
    crontab: dict = field(default_factory=dict)  # or a crontab (minute, hour, day_of_month …), Asia/Shanghai


def seed(apps, specs: list[PeriodicSpec]) -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for spec in specs:
        if spec.every:
            interval, _ = IntervalSchedule.objects.get_or_create(every=spec.every, period=spec.period)
            schedule = {"interval": interval}
        else:
            cron = {"minute": "0", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
            crontab, _ = CrontabSchedule.objects.get_or_create(
                **{**cron, **spec.crontab}, timezone="Asia/Shanghai"
            )
            schedule = {"crontab": crontab}
        PeriodicTask.objects.get_or_create(name=spec.name, defaults={"task": spec.task, **schedule})


def unseed(apps, specs: list[PeriodicSpec]) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[s.name for s in specs]
    ).delete()
