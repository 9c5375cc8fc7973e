"""Training reference data (seeded by migration 0002, re-seeded by tests after a flush). Staff check it
against the current notices before go-live: attendance statuses, the counting rule of the training subsidy, and a
starting catalogue with city-wide rates from 2025-07-01 (the city sets its own under 鲁人社字〔2025〕37号; these
are examples in the published Shandong ranges, not the city's figures)."""

import datetime as dt
from decimal import Decimal

STATUSES = [
    # code, name, counts hours, late after minutes, sort
    ("present", "出勤", True, None, 10),
    ("late", "迟到", True, 15, 20),
    ("absent", "缺勤", False, None, 30),
    ("excused", "请假", False, None, 40),
]

# code, occupation, name, certificate type, level, new form, min hours, rate, cap, employed rate, shortage
CATALOGUE = [
    (
        "electrician-special",
        "electrician",
        "低压电工作业（特种作业）",
        "special_operation",
        "none",
        "",
        80,
        "800",
        "800",
        None,
        True,
    ),
    (
        "welder-special",
        "welder",
        "熔化焊接与热切割作业（特种作业）",
        "special_operation",
        "none",
        "",
        80,
        "800",
        "800",
        None,
        True,
    ),
    (
        "electrician-5",
        "electrician",
        "电工（五级/初级工）",
        "skill_level",
        "5",
        "",
        120,
        "1000",
        "1000",
        "1200",
        True,
    ),
    (
        "electrician-4",
        "electrician",
        "电工（四级/中级工）",
        "skill_level",
        "4",
        "",
        160,
        "1500",
        "1500",
        "1800",
        True,
    ),
    (
        "elder-carer-5",
        "elder_carer",
        "养老护理员（五级/初级工）",
        "skill_level",
        "5",
        "",
        100,
        "1000",
        "1000",
        "1200",
        True,
    ),
    (
        "cleaner-ability",
        "cleaner",
        "家居保洁（专项职业能力）",
        "special_ability",
        "none",
        "",
        40,
        "600",
        "600",
        None,
        False,
    ),
    (
        "rider-training",
        "rider",
        "网约配送员岗位技能培训",
        "training",
        "none",
        "rider",
        24,
        "300",
        "300",
        "400",
        False,
    ),
    (
        "ride-hailing-training",
        "ride_hailing",
        "网约车驾驶员岗位技能培训",
        "training",
        "none",
        "driver",
        32,
        "400",
        "400",
        "500",
        False,
    ),
    (
        "live-seller-5",
        "live_seller",
        "直播销售员（五级/初级工）",
        "skill_level",
        "5",
        "streamer",
        80,
        "1000",
        "1000",
        "1200",
        False,
    ),
]
SOURCE = "鲁人社字〔2025〕37号（示例标准，上线前按本市目录核对）"


def seed_reference(get_model) -> None:
    """Idempotent; ``get_model(app_label, name)`` is the migration's or the live registry's."""
    AttendanceStatus = get_model("training", "AttendanceStatus")
    ClaimRule = get_model("training", "ClaimRule")
    CatalogueItem = get_model("training", "CatalogueItem")
    CatalogueRate = get_model("training", "CatalogueRate")
    Occupation = get_model("jobs", "Occupation")
    for code, name, counts, late, sort in STATUSES:
        AttendanceStatus.objects.update_or_create(
            code=code,
            defaults={"name": name, "counts_hours": counts, "late_after_minutes": late, "sort": sort},
        )
    ClaimRule.objects.get_or_create(
        version="SD-2025-37",
        defaults={
            "effective_from": dt.date(2025, 7, 1),
            "claims_per_year": 1,
            "claims_per_year_shortage": 3,
            "claim_window_months": 12,
            "employment_window_months": 6,
            "source": SOURCE,
        },
    )
    occupations = {o.code: o for o in Occupation.objects.all()}
    for code, occ, name, cert, level, new_form, hours, rate, cap, employed, shortage in CATALOGUE:
        if occ not in occupations:
            continue
        item, _ = CatalogueItem.objects.get_or_create(
            code=code,
            defaults={
                "occupation": occupations[occ],
                "name": name,
                "certificate_type": cert,
                "level": level,
                "new_form": new_form,
            },
        )
        CatalogueRate.objects.get_or_create(
            item=item,
            scope_unit=None,
            effective_from=dt.date(2025, 7, 1),
            defaults={
                "min_class_hours": hours,
                "rate": Decimal(rate),
                "cap": Decimal(cap),
                "employed_rate": Decimal(employed) if employed else None,
                "shortage": shortage,
                "source": SOURCE,
            },
        )
