"""The Celery application. Tasks live in each app's tasks.py; the beat schedule is in the database
(django-celery-beat), seeded by data migrations, so staff edits survive restarts."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every task's base is core.worker.ReliableTask (retries with backoff, dead tasks; ADR 0013).
app = Celery("lingong", task_cls="core.worker:ReliableTask")
# The default in every thread too (``current_app`` is per thread, with a bare fallback app in the others:
# a threaded server's relay would otherwise publish through that one).
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
