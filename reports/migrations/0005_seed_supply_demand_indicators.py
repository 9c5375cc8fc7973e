"""Seed the supply-and-demand indicators (validity windows, ADR 0041) and the ratios appended to
reports/catalogue.py; rows already there are left as staff edited them."""

from django.db import migrations

from reports.catalogue import seed_indicators


def forwards(apps, schema_editor):
    seed_indicators(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_ratio_and_percent_units"), ("jobs", "0006_open_validity_windows")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
