"""Gender and age-band breakdowns of workers_new, hires and seekers_valid (ADR 0047): the seeded rows'
``breakdowns`` and definitions as reports/catalogue.py has them now — a definition staff edited is left alone
(only one that still reads as seeded, without the new sentence, is extended)."""

from django.db import migrations

from reports.catalogue import ROWS

CODES = ("workers_new", "hires", "seekers_valid")
SENTENCE = "按性别、年龄段"


def forwards(apps, schema_editor):
    Indicator = apps.get_model("reports", "Indicator")
    rows = {row[0]: row for row in ROWS}
    for code in CODES:
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            continue
        row = rows[code]
        indicator.breakdowns = row[5]
        fields = ["breakdowns"]
        new_definition = row[9]
        old_definition = new_definition[: new_definition.index(SENTENCE)]
        if indicator.definition == old_definition:
            indicator.definition = new_definition
            fields.append("definition")
        indicator.save(update_fields=fields)


def backwards(apps, schema_editor):
    Indicator = apps.get_model("reports", "Indicator")
    for code in CODES:
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            continue
        indicator.breakdowns = [b for b in indicator.breakdowns if b not in ("gender", "age_band")]
        if SENTENCE in indicator.definition:
            indicator.definition = indicator.definition[: indicator.definition.index(SENTENCE)]
        indicator.save(update_fields=["breakdowns", "definition"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_report_runs")]

    operations = [migrations.RunPython(forwards, backwards)]
