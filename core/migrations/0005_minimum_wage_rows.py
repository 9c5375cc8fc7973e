"""The province's minimum-wage standards and Weifang's county tiers (moved from jobs, ADR 0012; rows as ADR
0010 describes them). Initial data: staff check it against the province's current notice before go-live."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

NOTICE = "山东省最低工资标准（初始数据，请按省政府最新通知核对）"
TIERS = [(1, Decimal("2200"), Decimal("22.00")), (2, Decimal("2000"), Decimal("20.00")), (3, Decimal("1800"), Decimal("18.00"))]
EFFECTIVE = dt.date(2025, 10, 1)
# Weifang's counties and their tiers.
COUNTY_TIERS = {
    "370702": 1, "370703": 1, "370704": 1, "370705": 1, "370781": 1, "370782": 1, "370783": 1, "370785": 1,
    "370724": 2, "370725": 2, "370784": 2, "370786": 2,
}


def forwards(apps, schema_editor):
    MinimumWageTier = apps.get_model("core", "MinimumWageTier")
    for tier, monthly, hourly in TIERS:
        MinimumWageTier.objects.get_or_create(
            tier=tier, effective_from=EFFECTIVE, defaults={"monthly": monthly, "hourly": hourly, "notice": NOTICE}
        )
    CountyWageTier = apps.get_model("core", "CountyWageTier")
    for code, tier in COUNTY_TIERS.items():
        CountyWageTier.objects.get_or_create(county_code=code, effective_from=EFFECTIVE, defaults={"tier": tier})


class Migration(migrations.Migration):
    dependencies = [("core", "0004_minimum_wages")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
