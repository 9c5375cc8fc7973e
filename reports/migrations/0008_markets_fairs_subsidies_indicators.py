"""The unit 次 (times) and the indicators appended to reports/catalogue.py for markets, fairs, training
outcomes, complaints closed on time, wages recovered and subsidies; every seeded row's ``breakdowns`` trimmed to
the breakdowns computed (``reports.calculators.BREAKDOWNS``: the catalogue promises nothing more); the two
medians' definitions say that a unit with no rows has no figure (was: 0) — unless staff edited them."""

from django.db import migrations, models

from reports.catalogue import ROWS, seed_indicators

# the medians' definitions as 0006 seeded them ("… 记为 0。") -> as they read now
OLD_MEDIAN_ENDINGS = {
    "wages_paid_median_daily": "期内无此类用工单的单位记为 0。",
    "complaints_median_days_to_close": "期内无办结件的单位记为 0。",
}


def forwards(apps, schema_editor):
    seed_indicators(apps.get_model)
    Indicator = apps.get_model("reports", "Indicator")
    rows = {row[0]: row for row in ROWS}
    for code, row in rows.items():
        Indicator.objects.filter(code=code).exclude(breakdowns=row[5]).update(breakdowns=row[5])
    for code, ending in OLD_MEDIAN_ENDINGS.items():
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is not None and indicator.definition.endswith(ending):
            indicator.definition = rows[code][9]
            indicator.save(update_fields=["definition"])


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0007_period_approvals'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='indicator',
            name='indicator_unit_valid',
        ),
        migrations.AlterField(
            model_name='indicator',
            name='unit',
            field=models.CharField(choices=[('persons', '人'), ('units', '个'), ('items', '件'), ('person_times', '人次'), ('yuan', '元'), ('ratio', '倍'), ('percent', '%'), ('days', '天'), ('times', '次')], max_length=16, verbose_name='计量单位'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('unit__in', ['persons', 'units', 'items', 'person_times', 'yuan', 'ratio', 'percent', 'days', 'times'])), name='indicator_unit_valid'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
