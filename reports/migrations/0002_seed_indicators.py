"""Seed the indicator catalogue's first rows (reports/catalogue.py)."""

from django.db import migrations

from reports.catalogue import seed_indicators


def forwards(apps, schema_editor):
    seed_indicators(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
