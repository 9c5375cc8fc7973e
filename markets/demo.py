"""Demo markets for the default city (called by `manage.py seed_demo`), built through the services as
staff would: one comprehensive market per county plus stations, a trade market, two approved online platforms
and one awaiting review, inspections (one overdue rectification, one high-risk awaiting action) and one
banned roadside market with its public notice. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from core.models import Division, ScopeUnit

from . import services
from .choices import (
    FindingResult,
    MarketKind,
    MarketStatus,
    OperatingModel,
    PlatformKind,
    PlatformStatus,
    RiskAction,
)
from .models import (
    Facility,
    Inspection,
    InspectionItem,
    Market,
    MarketOperator,
    OnlinePlatform,
)
from .publishing import map_publish

SEATS = {
    "370702": (36.7100, 119.0240, "胜利西街", "北关街道"),
    "370703": (36.7750, 119.2190, "通亭街", "寒亭街道"),
    "370704": (36.6540, 119.1660, "坊子区凤山路", "凤凰街道"),
    "370705": (36.7070, 119.1250, "东风东街", "东关街道"),
    "370724": (36.5120, 118.5420, "民主路", "城关街道"),
    "370725": (36.7070, 118.8300, "方山路", "宝城街道"),
    "370781": (36.6850, 118.4790, "海岱北路", "王府街道"),
    "370782": (35.9960, 119.4100, "和平街", "密州街道"),
    "370783": (36.8810, 118.7910, "圣城街", "圣城街道"),
    "370784": (36.4780, 119.2190, "健康路", "兴安街道"),
    "370785": (36.3820, 119.7550, "夷安大道", "醴泉街道"),
    "370786": (36.8590, 119.3980, "文化路", "奎聚街道"),
}
ALL = [
    "rain_shelter",
    "sun_shade",
    "parking",
    "info_board",
    "drinking_water",
    "toilet",
    "rest_area",
    "training_point",
    "rights_desk",
    "livestream_room",
]
STATION = ["rain_shelter", "info_board", "drinking_water", "rest_area"]


def _town(county: str, name: str):
    return Division.objects.filter(parent_id=county, level="town", name=name).first()


def _market(actor, *, facilities=(), **data) -> Market:
    return services.market_create(actor=actor, data=data, facilities=facilities)


def _platform(actor, *, approve: bool, **data) -> OnlinePlatform:
    platform = services.platform_register(actor=actor, data=data)
    if approve:
        services.platform_transition(
            platform=platform, to_status=PlatformStatus.APPROVED, actor=actor, reason="已纳入公共就业服务"
        )
    return platform


def seed(stdout=None) -> None:
    if Market.objects.exists():
        return
    admin = User.objects.get(phone="13800000000")
    facilities = {f.code: f for f in Facility.objects.all()}
    units = {u.code: u for u in ScopeUnit.objects.all()}
    created = {}
    for code, (lat, lng, street, town) in SEATS.items():
        unit = units[code]
        m = _market(
            admin,
            facilities=[facilities[c] for c in ALL[: 7 + int(code[-1]) % 4]],
            name=f"{unit.name}零工市场",
            kind=MarketKind.COMPREHENSIVE,
            scope_unit=unit,
            town=_town(code, town),
            address=f"潍坊市{unit.name}{street}{100 + int(code[-2:])}号",
            lat=lat,
            lng=lng,
            transit="乘公交到人社局站下车，向东步行200米。",
            operating_model=OperatingModel.BUREAU,
            operator_name=f"{unit.name}公共就业和人才服务中心",
            operator_contact="服务台",
            operator_contact_phone="13600000099",
            opens_at=dt.time(5, 0),
            closes_at=dt.time(11, 0),
            capacity=300,
            services="岗位发布、职业介绍、政策咨询、技能培训报名、劳动维权",
            hotline=f"0536-{8000000 + int(code[-2:]) * 11}",
            complaint_channel="12333，或市场服务台",
            description="标准化零工市场，清晨开市，免费服务。",
        )
        created[code] = m
        _market(
            admin,
            facilities=[facilities[c] for c in STATION],
            name=f"{unit.name}{town}零工驿站",
            kind=MarketKind.STATION,
            scope_unit=unit,
            town=_town(code, town),
            address=f"潍坊市{unit.name}{town}社区服务中心一楼",
            lat=lat + 0.012,
            lng=lng - 0.015,
            operating_model=OperatingModel.EMPLOYMENT_OFFICE,
            operator_name=f"{town}社区",
            opens_at=dt.time(6, 0),
            closes_at=dt.time(18, 0),
            open_days="123456",
            capacity=40,
            services="岗位信息、政策咨询",
            hotline=f"0536-{8100000 + int(code[-2:]) * 13}",
            complaint_channel="12333",
        )
    _market(
        admin,
        facilities=[
            facilities[c] for c in ["rain_shelter", "parking", "info_board", "drinking_water", "toilet"]
        ],
        name="寿光蔬菜产业零工市场",
        kind=MarketKind.INDUSTRY,
        scope_unit=units["370783"],
        address="寿光市农产品物流园北门",
        lat=36.8560,
        lng=118.7480,
        operating_model=OperatingModel.PURCHASED,
        operator_name="山东鸿达人力资源有限公司",
        operator_contact="马经理",
        operator_contact_phone="13700000088",
        contract_start=dt.date(2026, 1, 1),
        contract_end=dt.date(2028, 12, 31),
        opens_at=dt.time(4, 30),
        closes_at=dt.time(9, 30),
        capacity=500,
        services="大棚采摘、装卸、分拣岗位撮合",
        hotline="0536-5212333",
        complaint_channel="12333，或物流园服务台",
    )
    roadside = _market(
        admin,
        name="北宫街马路市场",
        kind=MarketKind.COMPREHENSIVE,
        scope_unit=units["370702"],
        address="潍城区北宫西街与向阳路路口",
        lat=36.7180,
        lng=119.0300,
        operating_model=OperatingModel.BUREAU,
        hotline="12333",
        complaint_channel="12333",
    )
    _market(
        admin,
        name="滨海零工驿站（筹建）",
        kind=MarketKind.STATION,
        scope_unit=units["370772"],
        address="滨海区央子街道政务服务中心",
        lat=37.0600,
        lng=119.1700,
        operating_model=OperatingModel.EMPLOYMENT_OFFICE,
        hotline="0536-7576333",
        complaint_channel="12333",
    )
    for m in Market.objects.filter(status=MarketStatus.PLANNED).exclude(name__contains="筹建"):
        services.market_start(market=m, actor=admin, reason="验收合格，开市")
    services.market_ban(
        market=roadside,
        actor=admin,
        reason="占用机动车道聚集候工，交通安全风险高",
        alternative="请到潍城区零工市场（胜利西街）或北关街道零工驿站",
        alternative_market=created["370702"],
    )
    operator = User.objects.filter(phone="13600000001").first()
    if operator:
        MarketOperator.objects.get_or_create(market=created["370702"], user=operator)

    items = {item.code: item for item in InspectionItem.objects.all()}
    today = timezone.localdate()

    def inspect(market, days_ago, results, hazards=""):
        return services.inspection_record(
            market=market,
            actor=admin,
            inspected_on=today - dt.timedelta(days=days_ago),
            inspector_names="县人社局 王敏、县应急局 刘涛",
            hazards=hazards,
            findings={items[code]: result for code, result in results.items()},
        )

    inspect(created["370705"], 20, {})
    inspect(created["370781"], 12, {"hygiene": FindingResult.MINOR})
    overdue = inspect(
        created["370783"], 30, {"traffic": FindingResult.MAJOR}, hazards="早高峰候工人员溢出到道路上"
    )
    services.inspection_decide(
        inspection=overdue,
        action=RiskAction.RECTIFY,
        actor=admin,
        reason="增设隔离护栏，安排疏导人员",
        rectify_deadline=today,
    )
    # The demo's history: that deadline passed five days ago (no service sets a deadline in the past).
    Inspection.objects.filter(pk=overdue.pk).update(rectify_deadline=today - dt.timedelta(days=5))
    inspect(
        created["370784"],
        2,
        {"electric": FindingResult.MAJOR, "fire": FindingResult.MINOR},
        hazards="信息屏电源线裸露",
    )

    _platform(
        admin,
        approve=True,
        scope_unit=units["370705"],
        name="潍坊就业网·零工专区",
        kind=PlatformKind.WEBSITE,
        operator_name="潍坊市公共就业和人才服务中心",
        url="https://example.gov.cn/linggong",
        offers_publishing=True,
        offers_matching=True,
        hotline="0536-12333",
    )
    _platform(
        admin,
        approve=True,
        scope_unit=units["370702"],
        name="鸢都零工",
        kind=PlatformKind.MINI_PROGRAM,
        operator_name="潍坊鸢都人力资源有限公司",
        operator_uscc="91370702MA3C000001",
        offers_publishing=True,
        offers_matching=True,
        offers_payment=True,
        hotline="0536-8881234",
    )
    _platform(
        admin,
        approve=False,
        scope_unit=units["370783"],
        name="寿光菜农帮工",
        kind=PlatformKind.APP,
        operator_name="寿光市惠农科技有限公司",
        offers_publishing=True,
    )
    map_publish(force=True)
    if stdout:
        stdout.write(
            f"  markets: {Market.objects.count()} markets, {OnlinePlatform.objects.count()} online platforms"
        )
