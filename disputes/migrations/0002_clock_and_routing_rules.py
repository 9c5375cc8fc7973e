"""The statutory time limits in force (effective-dated rows; a new regulation is a new row) and a default
routing table that staff edit in the admin."""

import datetime as dt

from django.db import migrations

CLOCK_RULES = [
    # 《关于实施〈劳动保障监察条例〉若干规定》第十六条：接到投诉之日起5个工作日内决定是否受理
    ("inspection_accept", "working", 5, 0, "劳动保障监察：接到投诉之日起5个工作日内决定是否受理"),
    # 《劳动保障监察条例》第十七条：立案之日起60个工作日内完成；经批准可延长30个工作日
    ("inspection_resolve", "working", 60, 30, "《劳动保障监察条例》第十七条：立案之日起60个工作日内完成，可延长30个工作日"),
    # 《劳动争议调解仲裁法》第二十九条：收到仲裁申请之日起5日内决定受理
    ("arbitration_accept", "calendar", 5, 0, "《劳动争议调解仲裁法》第二十九条：收到申请之日起5日内决定是否受理"),
    # 第四十三条：受理之日起45日内结束；经批准可延期，不得超过15日
    ("arbitration_award", "calendar", 45, 15, "《劳动争议调解仲裁法》第四十三条：受理之日起45日内结束，延期不超过15日"),
    # 第十四条：收到调解申请之日起15日内未达成调解协议的，当事人可以依法申请仲裁
    ("mediation", "calendar", 15, 0, "《劳动争议调解仲裁法》第十四条：15日内未达成调解协议的可申请仲裁"),
]
# position, name, claim_type, relationship_type, queue
ROUTING_RULES = [
    (10, "劳务纠纷不属仲裁范围：引导人民调解、法律援助或诉讼", "", "service", "guidance"),
    (20, "拖欠工资：劳动保障监察", "wages", "", "inspection"),
    (30, "加班费：劳动保障监察", "overtime", "", "inspection"),
    (40, "其他劳动争议：劳动人事争议仲裁", "", "labour", "arbitration"),
    (90, "其余：先行调解", "", "", "mediation"),
]
EFFECTIVE = dt.date(2008, 5, 1)  # 劳动争议调解仲裁法施行


def forwards(apps, schema_editor):
    ClockRule = apps.get_model("disputes", "ClockRule")
    RoutingRule = apps.get_model("disputes", "RoutingRule")
    for kind, day_kind, days, extension, basis in CLOCK_RULES:
        ClockRule.objects.get_or_create(
            kind=kind,
            effective_from=EFFECTIVE,
            defaults={"day_kind": day_kind, "days": days, "max_extension_days": extension, "basis": basis},
        )
    if not RoutingRule.objects.exists():
        for position, name, claim_type, relationship, queue in ROUTING_RULES:
            RoutingRule.objects.create(
                position=position, name=name, claim_type=claim_type, relationship_type=relationship, queue=queue
            )


def backwards(apps, schema_editor):
    apps.get_model("disputes", "ClockRule").objects.filter(effective_from=EFFECTIVE).delete()
    apps.get_model("disputes", "RoutingRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
