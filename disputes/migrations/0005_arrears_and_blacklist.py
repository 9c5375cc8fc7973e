"""Wage-arrears alerts become proposed cases (a link row per alert, a periodic task every 15 minutes) and the
arrears blacklist with its effective-dated provincial threshold, seeded with one row that staff check before
go-live (ADR 0026)."""

import datetime as dt
from decimal import Decimal

import accounts.storage
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.beat import PeriodicSpec, seed, unseed

SCHEDULES = [
    PeriodicSpec(
        "欠薪预警转投诉案件", "disputes.tasks.arrears_propose_cases_task", every=15, period="minutes"
    )
]
THRESHOLD = {
    "province": "山东省",
    "effective_from": dt.date(2022, 1, 1),
    "amount": Decimal("10000.00"),
    "basis": (
        "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》（人力资源社会保障部令第45号，2022年1月1日施行）"
        "第五条第一项：克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准；"
        "数额标准由省级依《最高人民法院关于审理拒不支付劳动报酬刑事案件适用法律若干问题的解释》"
        "（法释〔2013〕3号）第三条在五千元至二万元幅度内确定"
    ),
    "note": "示例数额：上线前由市人社局工作人员按山东省现行公布的数额标准核对并修改，新标准另增一行。",
}


def forwards(apps, schema_editor):
    """The seeded threshold (tests restore it after a flush through this function)."""
    Threshold = apps.get_model("disputes", "BlacklistThreshold")
    Threshold.objects.get_or_create(
        province=THRESHOLD["province"],
        effective_from=THRESHOLD["effective_from"],
        defaults={k: THRESHOLD[k] for k in ("amount", "basis", "note")},
    )


def backwards(apps, schema_editor):
    apps.get_model("disputes", "BlacklistThreshold").objects.filter(
        province=THRESHOLD["province"], effective_from=THRESHOLD["effective_from"]
    ).delete()


def schedule(apps, schema_editor):
    seed(apps, SCHEDULES)


def unschedule(apps, schema_editor):
    unseed(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_seed_message_templates"),
        ("disputes", "0004_bundle_and_referral"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("jobs", "0004_person_category"),
        ("markets", "0006_directory_snapshot"),
        ("work", "0005_reconcile_schedule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ArrearsProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="生成时间"),
                ),
            ],
            options={
                "verbose_name": "欠薪预警转案件",
                "verbose_name_plural": "欠薪预警转案件",
            },
        ),
        migrations.CreateModel(
            name="BlacklistEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("payment_order", "责令限期支付逾期未支付，数额达到标准"),
                            ("mass_incident", "拖欠工资引发群体性事件"),
                        ],
                        max_length=20,
                        verbose_name="列入依据",
                    ),
                ),
                (
                    "payment_order_number",
                    models.CharField(blank=True, max_length=60, verbose_name="限期支付文书编号"),
                ),
                (
                    "payment_order_deadline",
                    models.DateField(blank=True, null=True, verbose_name="限期支付截止日"),
                ),
                (
                    "amount_unpaid",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=12,
                        null=True,
                        verbose_name="逾期未支付金额（元）",
                    ),
                ),
                (
                    "threshold_amount",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=12, null=True, verbose_name="适用标准（元）"
                    ),
                ),
                (
                    "incident_description",
                    models.TextField(blank=True, max_length=2000, verbose_name="群体性事件情况"),
                ),
                (
                    "decision_number",
                    models.CharField(blank=True, max_length=60, verbose_name="列入决定书文号"),
                ),
                ("decided_on", models.DateField(verbose_name="决定日期")),
                (
                    "decided_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="登记时间"),
                ),
                ("listed_from", models.DateField(verbose_name="列入日期")),
                ("listed_until", models.DateField(verbose_name="惩戒期至")),
                ("lifted_at", models.DateTimeField(blank=True, null=True, verbose_name="提前移出时间")),
                ("lift_reason", models.TextField(blank=True, max_length=1000, verbose_name="移出理由")),
                ("wages_paid_on", models.DateField(blank=True, null=True, verbose_name="工资全额支付日期")),
                (
                    "promise",
                    models.FileField(
                        blank=True,
                        storage=accounts.storage.private_storage,
                        upload_to="disputes/blacklist/%Y/%m/",
                        verbose_name="信用修复承诺书",
                    ),
                ),
                (
                    "promise_sha256",
                    models.CharField(blank=True, max_length=64, verbose_name="承诺书 SHA-256"),
                ),
            ],
            options={
                "verbose_name": "拖欠农民工工资失信名单",
                "verbose_name_plural": "拖欠农民工工资失信名单",
                "ordering": ["-listed_from", "-id"],
            },
        ),
        migrations.CreateModel(
            name="BlacklistPerson",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("role", models.CharField(max_length=30, verbose_name="身份")),
                ("name", models.CharField(max_length=40, verbose_name="姓名")),
                ("id_number", models.CharField(blank=True, max_length=18, verbose_name="身份证号")),
            ],
            options={
                "verbose_name": "失信名单责任人",
                "verbose_name_plural": "失信名单责任人",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="BlacklistThreshold",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("province", models.CharField(max_length=20, verbose_name="省份")),
                ("effective_from", models.DateField(verbose_name="施行日期")),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="数额标准（元）"),
                ),
                ("basis", models.CharField(max_length=300, verbose_name="依据")),
                ("note", models.TextField(blank=True, verbose_name="备注")),
            ],
            options={
                "verbose_name": "失信名单数额标准",
                "verbose_name_plural": "失信名单数额标准",
                "ordering": ["-effective_from"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="case",
            name="case_channel_valid",
        ),
        migrations.AlterField(
            model_name="case",
            name="channel",
            field=models.CharField(
                choices=[
                    ("online", "网上投诉"),
                    ("counter", "窗口登记"),
                    ("hotline", "12333 热线"),
                    ("transfer_12345", "12345 转办"),
                    ("arrears_platform", "全国欠薪线索平台"),
                    ("arrears_alert", "欠薪预警"),
                ],
                max_length=20,
                verbose_name="渠道",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "channel__in",
                        [
                            "online",
                            "counter",
                            "hotline",
                            "transfer_12345",
                            "arrears_platform",
                            "arrears_alert",
                        ],
                    )
                ),
                name="case_channel_valid",
            ),
        ),
        migrations.AddField(
            model_name="arrearsproposal",
            name="alert",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dispute_proposal",
                to="work.arrearsalert",
                verbose_name="欠薪预警",
            ),
        ),
        migrations.AddField(
            model_name="arrearsproposal",
            name="case",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="arrears_proposal",
                to="disputes.case",
                verbose_name="案件",
            ),
        ),
        migrations.AddField(
            model_name="blacklistentry",
            name="decided_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="决定登记人",
            ),
        ),
        migrations.AddField(
            model_name="blacklistentry",
            name="employer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="blacklist_entries",
                to="jobs.employerprofile",
                verbose_name="用工方",
            ),
        ),
        migrations.AddField(
            model_name="blacklistentry",
            name="lifted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="移出登记人",
            ),
        ),
        migrations.AddField(
            model_name="blacklistperson",
            name="entry",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="persons",
                to="disputes.blacklistentry",
                verbose_name="名单记录",
            ),
        ),
        migrations.AddConstraint(
            model_name="blacklistthreshold",
            constraint=models.UniqueConstraint(
                fields=("province", "effective_from"), name="blacklist_threshold_one_per_date"
            ),
        ),
        migrations.AddConstraint(
            model_name="blacklistthreshold",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="blacklist_threshold_positive"
            ),
        ),
        migrations.AddField(
            model_name="blacklistentry",
            name="threshold",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="disputes.blacklistthreshold",
                verbose_name="适用数额标准",
            ),
        ),
        migrations.AddIndex(
            model_name="blacklistentry",
            index=models.Index(fields=["employer", "listed_until"], name="blacklist_employer_until_idx"),
        ),
        migrations.AddConstraint(
            model_name="blacklistentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["payment_order", "mass_incident"])),
                name="blacklist_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="blacklistentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("listed_until__gte", models.F("listed_from"))),
                name="blacklist_period_ordered",
            ),
        ),
        migrations.AddConstraint(
            model_name="blacklistentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "payment_order"), _negated=True),
                    ("amount_unpaid__isnull", False),
                    _connector="OR",
                ),
                name="blacklist_payment_order_has_amount",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(schedule, unschedule),
    ]
