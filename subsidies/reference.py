"""Subsidies reference data (seeded by migration 0002, re-seeded by tests after a flush): the four program
types with their strategy codes, and a city-wide parameter row for each from 2025-07-01. The figures are
examples in the published ranges, not the city's: staff check every row against the current notices before
go-live (the basis says so), and a new notice is a new row, never an edit."""

import datetime as dt
from decimal import Decimal

CHECK = "示例标准：上线前由工作人员按本市现行文件核对后启用。"

# code, name, summary, eligibility, amount, dedup, cycle, offered to workers, sort
PROGRAMS = [
    (
        "flexible_social_insurance",
        "灵活就业人员社会保险补贴",
        "就业困难人员和离校2年内的高校毕业生灵活就业并缴纳职工基本养老、医疗保险的，按实际缴费的一定比例给予补贴。",
        "flexible_social_insurance",
        "ratio_of_contributions",
        "month_limit",
        "monthly",
        True,
        10,
    ),
    (
        "gig_accident_insurance",
        "零工意外伤害保险补贴",
        "通过家政服务机构、新就业形态平台就业并购买意外伤害保险的零工，按保费的一定比例给予补贴，每人每年有上限。",
        "gig_accident_insurance",
        "share_of_premium",
        "yearly_cap",
        "yearly",
        True,
        20,
    ),
    (
        "training",
        "职业技能培训补贴",
        "参加目录内职业技能培训并结业取证的，按培训目录标准给予补贴，由培训页面申领。",
        "training_claim",
        "claim_amount",
        "claim_once",
        "per_claim",
        True,
        30,
    ),
    (
        "gig_market_operator",
        "零工市场运营补贴（购买服务）",
        "县（市、区）按考核期对运营规范的零工市场购买服务，按重新统计的服务指标评分测算补贴。",
        "operator_kpi",
        "kpi_score",
        "market_period",
        "quarterly",
        False,
        40,
    ),
]

PARAMETERS = {
    "flexible_social_insurance": {
        "version": "SI-2025-07",
        "ratio": "2/3",
        "base_rule": "lowest_tier",
        "lowest_base": Decimal("4000.00"),
        "pension_rate": Decimal("0.2000"),
        "medical_rate": Decimal("0.0800"),
        "monthly_cap": None,
        "max_months": 36,
        "max_months_graduate": 24,
        "graduate_window_months": 24,
        "retirement_extension_years": 5,
        "female_retirement_track": "55",
        "min_work_days": 4,
        "min_work_earnings": Decimal("500.00"),
        "notice": "《就业补助资金管理办法》（财社〔2017〕164号）第七条；零工市场建设政策措施八",
        "basis": "补贴不超过实际缴纳基本养老、医疗保险费的2/3，按最低缴费基数计算；期限最长36个月（高校毕业生24个月），"
        "首次享受时距法定退休年龄不足5年的可延长至退休。灵活就业以本平台当月结算用工不少于4天或收入不少于500元为据。"
        + CHECK,
    },
    "gig_accident_insurance": {
        "version": "AI-2025-07",
        "share": Decimal("0.5000"),
        "yearly_cap": Decimal("100.00"),
        "min_age": 16,
        "max_age": 60,
        "notice": "零工市场建设政策措施八；山东省新就业形态就业人员职业伤害保障扩围（2025-07-01起）",
        "basis": "平台、家政机构为16–60周岁从业人员（不含管理人员）购买意外伤害保险的，按保费50%补贴，每人每年最高100元，"
        "各机构、平台合计；已由单笔职业伤害保障覆盖的用工不重复补贴。" + CHECK,
    },
    "training": {
        "version": "TR-2025-07",
        "notice": "鲁人社字〔2025〕37号",
        "basis": "补贴标准、申领次数和时限按培训目录和申领规则（培训模块）执行。" + CHECK,
    },
    "gig_market_operator": {
        "version": "OP-2025-07",
        "notice": "零工市场建设政策措施二（购买服务）",
        "basis": "按考核期重新统计的岗位发布、录用、结算、服务台服务、投诉办结和检查整改等指标评分测算；数据核验不通过的取消资格。"
        + CHECK,
    },
}
EFFECTIVE_FROM = dt.date(2025, 7, 1)


def seed_reference(get_model) -> None:
    """Idempotent; ``get_model(app_label, name)`` is the migration's or the live registry's."""
    ProgramType = get_model("subsidies", "ProgramType")
    ProgramParameter = get_model("subsidies", "ProgramParameter")
    for code, name, summary, eligibility, amount, dedup, cycle, offered, sort in PROGRAMS:
        program, _ = ProgramType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "summary": summary,
                "eligibility_strategy": eligibility,
                "amount_strategy": amount,
                "dedup_strategy": dedup,
                "cycle_strategy": cycle,
                "offered_to_workers": offered,
                "sort": sort,
            },
        )
        values = dict(PARAMETERS[code])
        version = values.pop("version")
        ProgramParameter.objects.get_or_create(
            program_type=program,
            version=version,
            defaults={"scope_unit": None, "effective_from": EFFECTIVE_FROM, **values},
        )
    try:
        seed_operator_scheme(get_model)
    except LookupError:  # migration 0002's state, before the scheme's tables (0005) exist
        pass


# The operator subsidy's scheme (ADR 0033): a score out of 100 from the KPIs recomputed per market and quarter,
# ¥500 a point from 60 points, at most ¥50,000 per market and quarter. Example figures in the range counties
# publish, not the city's: checked against the current notice before go-live (the basis says so).
OPERATOR_SCHEME = {
    "version": "OPS-2025-07",
    "amount_rule": "per_point",
    "amount_per_point": Decimal("500.00"),
    "min_score": Decimal("60.00"),
    "cap": Decimal("50000.00"),
    "notice": "零工市场建设政策措施二（政府购买服务）；参照浙江省零工市场运营绩效评价做法",
    "basis": "按季度重新统计各项服务指标计分（满分100分），60分起按每分500元测算，每个市场每季度最高5万元；"
    "数据核验不通过（记录不一致、疑似造假）的取消当期资格。" + CHECK,
}
# kpi, points, full at, zero at, when there is no figure
OPERATOR_ITEMS = [
    ("postings", "15", "300", "0", "zero"),
    ("hires", "20", "200", "0", "zero"),
    ("fill_hours", "10", "24", "168", "zero"),
    ("work_orders_settled", "20", "500", "0", "zero"),
    ("counter_services", "15", "300", "0", "zero"),
    ("complaint_closure_rate", "10", "1", "0.5", "full"),
    ("major_findings", "10", "0", "3", "full"),
]


def seed_operator_scheme(get_model) -> None:
    """Idempotent: the city-wide scheme row and its items (migration 0005; tests after a flush)."""
    OperatorScheme = get_model("subsidies", "OperatorScheme")
    OperatorSchemeItem = get_model("subsidies", "OperatorSchemeItem")
    values = dict(OPERATOR_SCHEME)
    version = values.pop("version")
    scheme, created = OperatorScheme.objects.get_or_create(
        version=version, defaults={"scope_unit": None, "effective_from": EFFECTIVE_FROM, **values}
    )
    if created:
        for kpi, points, full_at, zero_at, if_missing in OPERATOR_ITEMS:
            OperatorSchemeItem.objects.create(
                scheme=scheme,
                kpi=kpi,
                points=Decimal(points),
                full_at=Decimal(full_at),
                zero_at=Decimal(zero_at),
                if_missing=if_missing,
            )
