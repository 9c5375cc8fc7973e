"""Training-subsidy claims taken for review (ADR 0038): the unique link from an application to the training
claim it was made from, and the hourly intake task."""

from django.db import migrations, models

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec(
        "培训补贴申领每小时受理", "subsidies.tasks.training_claims_intake_task", crontab={"minute": "15"}
    )
]


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0008_disbursement"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="training_claim_id",
            field=models.PositiveBigIntegerField(
                blank=True, editable=False, null=True, unique=True, verbose_name="培训补贴申领编号"
            ),
        ),
        migrations.RunPython(schedule, unschedule),
    ]
