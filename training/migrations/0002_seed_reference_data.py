"""Seed the training reference data (training/reference.py)."""

from django.db import migrations

from training.reference import seed_reference


def seed(apps, schema_editor):
    seed_reference(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("jobs", "0002_seed_and_search_indexes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
