"""Seed the subsidies reference data (subsidies/reference.py)."""

from django.db import migrations

from subsidies.reference import seed_reference


def seed(apps, schema_editor):
    seed_reference(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
