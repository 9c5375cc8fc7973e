"""The unit 天 (days) and the remaining indicators appended to reports/catalogue.py: the median daily wage,
arrears alerts, complaints accepted and the median days to close (ADR 0042)."""

from django.db import migrations, models

from reports.catalogue import seed_indicators


def forwards(apps, schema_editor):
    seed_indicators(apps.get_model)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_seed_supply_demand_indicators'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='indicator',
            name='indicator_unit_valid',
        ),
        migrations.AlterField(
            model_name='indicator',
            name='unit',
            field=models.CharField(choices=[('persons', '人'), ('units', '个'), ('items', '件'), ('person_times', '人次'), ('yuan', '元'), ('ratio', '倍'), ('percent', '%'), ('days', '天')], max_length=16, verbose_name='计量单位'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('unit__in', ['persons', 'units', 'items', 'person_times', 'yuan', 'ratio', 'percent', 'days'])), name='indicator_unit_valid'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
