"""The Celery application. Tasks live in each app's tasks.py; the beat schedule is in the database
(django-celery-beat), seeded by data migrations, so staff edits survive restarts."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("lingong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
