"""Demo labor market for the default city (called by `manage.py seed_demo` after accounts and markets):
approved employers (a household, companies, one trusted), workers with skills, certificates for licensed
work, availability and homes near the markets, 70-odd postings over all twelve counties with wages that
clear each county's minimum, applications in every state (one a staff referral, one taken at a counter),
and job fairs: an upcoming 集市 with booths and registrations, an upcoming 夜市, a past 夜市 with its
outcome. Everything goes through the real services, so the data is what people would have made.
Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.choices import Role
from accounts.idgen import make_resident_id, make_uscc
from accounts.models import Organization, RoleGrant, User
from core.models import ScopeUnit
from markets.demo import SEATS
from markets.models import Market

from . import services
from .choices import (
    ApplicationSource,
    CertificateStatus,
    EmployerKind,
    FairKind,
    PostingStatus,
    Settlement,
    SkillLevel,
    WageUnit,
)
from .models import Certificate, EmployerProfile, JobFair, Occupation, Posting

D = Decimal

# key: phone, display name, kind, county, trusted, contact name, (new user: real name / organization name)
EMPLOYERS = {
    "zhouli": ("13700000001", "周女士家", EmployerKind.PERSON, "370702", False, "周女士"),
    "hongda": (
        "13700000002",
        "潍坊鸿达建筑劳务有限公司",
        EmployerKind.ORGANIZATION,
        "370705",
        True,
        "马经理",
    ),
    "chen": ("13900000003", "陈志刚蔬菜大棚", EmployerKind.PERSON, "370783", False, "陈师傅"),
    "wuliu": (
        "13700000011",
        "寿光农产品物流园服务有限公司",
        EmployerKind.ORGANIZATION,
        "370783",
        False,
        "孙主管",
    ),
    "shunda": ("13700000012", "潍坊顺达物流有限公司", EmployerKind.ORGANIZATION, "370705", False, "赵调度"),
    "wenlv": (
        "13700000013",
        "青州古城文旅服务有限公司",
        EmployerKind.ORGANIZATION,
        "370781",
        False,
        "韩经理",
    ),
    "hengxin": (
        "13700000014",
        "诸城市恒信物业管理有限公司",
        EmployerKind.ORGANIZATION,
        "370782",
        False,
        "刘主任",
    ),
    "peisong": ("13700000015", "鸢都即时配送服务站", EmployerKind.ORGANIZATION, "370705", False, "许站长"),
    "jiafang": (
        "13700000016",
        "高密市华纺家纺有限公司",
        EmployerKind.ORGANIZATION,
        "370785",
        False,
        "王主管",
    ),
    "coop": ("13700000017", "临朐县沂山果品专业合作社", EmployerKind.ORGANIZATION, "370724", False, "张社长"),
}


@dataclass(frozen=True)
class Kind:
    occupation: str
    title: str
    description: str
    wage: Decimal
    unit: str
    settlement: str
    headcount: int
    hours: tuple[dt.time, dt.time]
    employer: str
    estimate: Decimal | None = None
    requirements: str = ""


T = dt.time
KINDS = {
    "clean": Kind(
        "cleaner",
        "家庭日常保洁",
        "两室一厅日常保洁：擦玻璃、厨房卫生间清洁、拖地，清洁工具和用品由雇主提供。",
        D("200"),
        WageUnit.DAY,
        Settlement.DAILY,
        1,
        (T(8), T(16)),
        "zhouli",
    ),
    "deep_clean": Kind(
        "cleaner",
        "新房开荒保洁",
        "120平米新房装修后开荒保洁，去除胶渍涂料，清理窗框地面。",
        D("260"),
        WageUnit.DAY,
        Settlement.ON_COMPLETION,
        3,
        (T(8), T(17)),
        "hengxin",
    ),
    "office_clean": Kind(
        "cleaner",
        "写字楼保洁（周末）",
        "写字楼公共区域保洁，楼道、电梯间、卫生间，物业提供工作服和工具。",
        D("180"),
        WageUnit.DAY,
        Settlement.WEEKLY,
        4,
        (T(7), T(15)),
        "hengxin",
    ),
    "electrician": Kind(
        "electrician",
        "商铺电路改造电工",
        "临街商铺照明和插座线路改造，配电箱更换，材料由甲方提供。",
        D("350"),
        WageUnit.DAY,
        Settlement.ON_COMPLETION,
        2,
        (T(7, 30), T(17, 30)),
        "hongda",
        requirements="须持有效的低压电工作业操作证，有商铺装修经验。",
    ),
    "electrician_site": Kind(
        "electrician",
        "工地临时用电维护电工",
        "住宅工地临时用电巡检和维护，配合各工种接线。",
        D("380"),
        WageUnit.DAY,
        Settlement.WEEKLY,
        1,
        (T(7), T(17)),
        "hongda",
        requirements="须持有效的低压电工作业操作证。",
    ),
    "porter": Kind(
        "porter",
        "超市到货卸车搬运",
        "超市配送中心到货卸车、码垛上架，单件不超过25公斤，有手推车。",
        D("260"),
        WageUnit.DAY,
        Settlement.DAILY,
        4,
        (T(6), T(14)),
        "shunda",
    ),
    "mover": Kind(
        "mover",
        "居民搬家搬运",
        "三楼无电梯居民搬家，家具拆装由师傅负责，需要搬运帮手。",
        D("300"),
        WageUnit.DAY,
        Settlement.DAILY,
        3,
        (T(8), T(16)),
        "shunda",
    ),
    "loader": Kind(
        "loader",
        "物流园蔬菜装车",
        "物流园冷库蔬菜装车，叉车配合，按车辆到达安排。",
        D("280"),
        WageUnit.DAY,
        Settlement.DAILY,
        6,
        (T(5), T(13)),
        "wuliu",
    ),
    "sorter": Kind(
        "vegetable_sorter",
        "蔬菜分拣打包",
        "彩椒、黄瓜按等级分拣装箱，室内作业，提供午饭。",
        D("200"),
        WageUnit.DAY,
        Settlement.DAILY,
        10,
        (T(6), T(14)),
        "wuliu",
    ),
    "picker_hour": Kind(
        "picker",
        "大棚西红柿采摘（按小时）",
        "大棚西红柿采摘装筐，早上凉快时干，大棚主人接送。",
        D("25"),
        WageUnit.HOUR,
        Settlement.DAILY,
        8,
        (T(5, 30), T(10, 30)),
        "chen",
    ),
    "picker_day": Kind(
        "picker",
        "苹果采摘装筐",
        "果园苹果采摘、套袋摘除和装筐，合作社提供梯子和手套，中午管饭。",
        D("160"),
        WageUnit.DAY,
        Settlement.DAILY,
        12,
        (T(7), T(15)),
        "coop",
    ),
    "greenhouse": Kind(
        "greenhouse",
        "大棚吊蔓打杈",
        "黄瓜大棚吊蔓、打杈、落秧，有经验者优先，大棚主人现场指导。",
        D("200"),
        WageUnit.DAY,
        Settlement.DAILY,
        4,
        (T(6), T(14)),
        "chen",
    ),
    "rider": Kind(
        "rider",
        "午晚高峰外卖配送（按单计酬）",
        "午高峰和晚高峰外卖配送，站点提供电动车和头盔，按单结算。",
        D("5.5"),
        WageUnit.PIECE,
        Settlement.WEEKLY,
        10,
        (T(10), T(20)),
        "peisong",
        estimate=D("230"),
    ),
    "helper": Kind(
        "construction_helper",
        "工地小工（搬砖和灰）",
        "住宅工地配合瓦工搬砖、和灰、清理场地，工地提供安全帽。",
        D("230"),
        WageUnit.DAY,
        Settlement.WEEKLY,
        5,
        (T(7), T(17)),
        "hongda",
    ),
    "bricklayer": Kind(
        "bricklayer",
        "砌墙瓦工",
        "厂房隔墙砌筑和抹灰，包工包料之外的人工部分。",
        D("380"),
        WageUnit.DAY,
        Settlement.ON_COMPLETION,
        2,
        (T(7), T(17)),
        "hongda",
    ),
    "hourly": Kind(
        "hourly_helper",
        "钟点工 做午饭和打扫",
        "两位老人家里做午饭、打扫卫生，离小区近者优先。",
        D("35"),
        WageUnit.HOUR,
        Settlement.DAILY,
        1,
        (T(9), T(12)),
        "zhouli",
    ),
    "banquet": Kind(
        "banquet_helper",
        "婚宴帮工 传菜收桌",
        "酒店婚宴传菜、收桌、洗碗，提供工作餐。",
        D("200"),
        WageUnit.DAY,
        Settlement.DAILY,
        8,
        (T(10), T(20)),
        "wenlv",
    ),
    "promoter": Kind(
        "promoter",
        "古城景区周末导览促销",
        "景区文创商店周末促销和游客导览，口齿清楚即可。",
        D("200"),
        WageUnit.DAY,
        Settlement.DAILY,
        2,
        (T(9), T(18)),
        "wenlv",
    ),
    "sewing": Kind(
        "sewing",
        "家纺缝纫 计件",
        "床上用品缝边、锁边，计件工资，熟练工一天可缝一百七十件以上。",
        D("1.2"),
        WageUnit.PIECE,
        Settlement.WEEKLY,
        6,
        (T(8), T(17)),
        "jiafang",
        estimate=D("210"),
    ),
    "packer": Kind(
        "packer",
        "家纺成品打包",
        "成品折叠、装袋、装箱，坐着干，车间有空调。",
        D("190"),
        WageUnit.DAY,
        Settlement.WEEKLY,
        6,
        (T(8), T(17)),
        "jiafang",
    ),
    "gardener": Kind(
        "gardener",
        "小区绿化修剪",
        "小区绿篱修剪、草坪除草和清运，物业提供工具。",
        D("190"),
        WageUnit.DAY,
        Settlement.DAILY,
        3,
        (T(7), T(15)),
        "hengxin",
    ),
}

# Six postings per county: (kind, first work day from today, number of days, at the county's market).
COUNTY_POSTINGS = {
    "370702": [
        ("clean", 0, 1, True),
        ("electrician", 2, 3, False),
        ("hourly", 1, 5, False),
        ("porter", 0, 1, False),
        ("deep_clean", 1, 2, False),
        ("rider", 0, 7, False),
    ],
    "370703": [
        ("helper", 0, 5, True),
        ("porter", 1, 1, False),
        ("office_clean", 3, 2, False),
        ("mover", 1, 1, False),
        ("rider", 2, 7, False),
        ("electrician_site", 4, 10, False),
    ],
    "370704": [
        ("bricklayer", 1, 4, True),
        ("helper", 0, 3, False),
        ("gardener", 2, 2, False),
        ("porter", 5, 1, False),
        ("clean", 1, 1, False),
        ("mover", 0, 1, False),
    ],
    "370705": [
        ("porter", 0, 1, True),
        ("rider", 0, 7, False),
        ("mover", 1, 1, False),
        ("electrician", 3, 2, False),
        ("office_clean", 2, 2, False),
        ("helper", 1, 6, False),
    ],
    "370724": [
        ("picker_day", 0, 5, True),
        ("picker_day", 1, 3, False),
        ("packer", 2, 5, False),
        ("helper", 1, 2, False),
        ("clean", 3, 1, False),
        ("gardener", 0, 2, False),
    ],
    "370725": [
        ("greenhouse", 0, 3, True),
        ("picker_day", 1, 2, False),
        ("sorter", 2, 3, False),
        ("porter", 1, 1, False),
        ("clean", 4, 1, False),
        ("helper", 3, 4, False),
    ],
    "370781": [
        ("banquet", 1, 1, True),
        ("promoter", 0, 2, False),
        ("clean", 2, 1, False),
        ("helper", 1, 5, False),
        ("bricklayer", 4, 3, False),
        ("porter", 0, 1, False),
    ],
    "370782": [
        ("office_clean", 0, 2, True),
        ("gardener", 1, 3, False),
        ("deep_clean", 2, 1, False),
        ("electrician_site", 1, 7, False),
        ("mover", 3, 1, False),
        ("rider", 0, 7, False),
    ],
    "370783": [
        ("sorter", 0, 3, True),
        ("loader", 0, 2, True),
        ("picker_hour", 1, 4, False),
        ("greenhouse", 0, 2, False),
        ("picker_hour", 2, 3, False),
        ("helper", 5, 3, False),
    ],
    "370784": [
        ("greenhouse", 1, 3, True),
        ("picker_day", 0, 2, False),
        ("porter", 2, 1, False),
        ("clean", 1, 1, False),
        ("helper", 3, 5, False),
        ("sorter", 4, 2, False),
    ],
    "370785": [
        ("sewing", 0, 7, True),
        ("packer", 1, 5, False),
        ("porter", 0, 1, False),
        ("clean", 2, 1, False),
        ("electrician", 3, 2, False),
        ("gardener", 1, 1, False),
    ],
    "370786": [
        ("packer", 0, 3, True),
        ("greenhouse", 1, 2, False),
        ("helper", 2, 4, False),
        ("porter", 1, 1, False),
        ("picker_day", 3, 2, False),
        ("clean", 0, 1, False),
    ],
}

# phone, name, county, birth date, male, skills [(occupation, level, years)], expected daily wage
WORKERS = [
    (
        "13900000001",
        None,
        "370702",
        None,
        True,
        [("electrician", SkillLevel.EXPERT, 22), ("bricklayer", SkillLevel.SKILLED, 8)],
        D("300"),
    ),
    (
        "13900000002",
        None,
        "370702",
        None,
        False,
        [("cleaner", SkillLevel.EXPERT, 12), ("hourly_helper", SkillLevel.SKILLED, 6)],
        D("200"),
    ),
    (
        "13900000003",
        None,
        "370783",
        None,
        True,
        [("greenhouse", SkillLevel.EXPERT, 20), ("picker", SkillLevel.EXPERT, 20)],
        D("220"),
    ),
    ("13900000004", None, "370783", None, True, [("vegetable_sorter", SkillLevel.BEGINNER, 1)], D("180")),
    (
        "13900000011",
        "李长海",
        "370705",
        dt.date(1971, 3, 8),
        True,
        [("electrician", SkillLevel.SKILLED, 15), ("forklift", SkillLevel.SKILLED, 5)],
        D("320"),
    ),
    (
        "13900000012",
        "王秀兰",
        "370702",
        dt.date(1969, 10, 2),
        False,
        [("cleaner", SkillLevel.SKILLED, 7), ("nanny", SkillLevel.SKILLED, 4)],
        D("200"),
    ),
    (
        "13900000013",
        "赵德胜",
        "370703",
        dt.date(1966, 6, 16),
        True,
        [("construction_helper", SkillLevel.SKILLED, 18), ("porter", SkillLevel.SKILLED, 10)],
        D("230"),
    ),
    (
        "13900000014",
        "孙红梅",
        "370704",
        dt.date(1978, 1, 25),
        False,
        [("cleaner", SkillLevel.SKILLED, 5), ("gardener", SkillLevel.BEGINNER, 1)],
        D("190"),
    ),
    (
        "13900000015",
        "周海涛",
        "370705",
        dt.date(1992, 8, 30),
        True,
        [("rider", SkillLevel.SKILLED, 3), ("courier", SkillLevel.SKILLED, 2)],
        D("230"),
    ),
    (
        "13900000016",
        "吴玉珍",
        "370724",
        dt.date(1964, 4, 12),
        False,
        [("picker", SkillLevel.EXPERT, 25), ("packer", SkillLevel.SKILLED, 6)],
        D("160"),
    ),
    (
        "13900000017",
        "郑建军",
        "370725",
        dt.date(1974, 12, 3),
        True,
        [("greenhouse", SkillLevel.SKILLED, 12), ("porter", SkillLevel.SKILLED, 9)],
        D("200"),
    ),
    (
        "13900000018",
        "冯丽娟",
        "370781",
        dt.date(1983, 7, 19),
        False,
        [("banquet_helper", SkillLevel.SKILLED, 6), ("waiter", SkillLevel.SKILLED, 8)],
        D("190"),
    ),
    (
        "13900000019",
        "陈国庆",
        "370782",
        dt.date(1970, 10, 1),
        True,
        [("gardener", SkillLevel.SKILLED, 9), ("cleaner", SkillLevel.SKILLED, 4)],
        D("190"),
    ),
    (
        "13900000020",
        "褚立新",
        "370783",
        dt.date(1976, 2, 14),
        True,
        [("loader", SkillLevel.SKILLED, 11), ("forklift", SkillLevel.EXPERT, 9)],
        D("260"),
    ),
    (
        "13900000021",
        "卫春花",
        "370783",
        dt.date(1980, 3, 21),
        False,
        [("vegetable_sorter", SkillLevel.EXPERT, 10), ("picker", SkillLevel.SKILLED, 10)],
        D("190"),
    ),
    (
        "13900000022",
        "蒋大勇",
        "370784",
        dt.date(1968, 9, 9),
        True,
        [("greenhouse", SkillLevel.SKILLED, 15), ("construction_helper", SkillLevel.SKILLED, 6)],
        D("200"),
    ),
    (
        "13900000023",
        "沈桂芝",
        "370785",
        dt.date(1975, 5, 5),
        False,
        [("sewing", SkillLevel.EXPERT, 20), ("packer", SkillLevel.SKILLED, 5)],
        D("210"),
    ),
    (
        "13900000024",
        "韩志强",
        "370786",
        dt.date(1985, 11, 11),
        True,
        [("bricklayer", SkillLevel.SKILLED, 12), ("construction_helper", SkillLevel.SKILLED, 12)],
        D("300"),
    ),
    (
        "13900000025",
        "杨淑芬",
        "370702",
        dt.date(1972, 6, 6),
        False,
        [("hourly_helper", SkillLevel.SKILLED, 8), ("cook_home", SkillLevel.SKILLED, 10)],
        D("200"),
    ),
    (
        "13900000026",
        "朱永刚",
        "370702",
        dt.date(1979, 4, 4),
        True,
        [("porter", SkillLevel.SKILLED, 7), ("mover", SkillLevel.SKILLED, 7)],
        D("260"),
    ),
]

CERTIFICATES = [
    (
        "13900000001",
        "electrician",
        "特种作业操作证（低压电工作业）",
        "T370702196804180017",
        "潍坊市应急管理局",
        dt.date(2028, 6, 30),
    ),
    (
        "13900000011",
        "electrician",
        "特种作业操作证（低压电工作业）",
        "T370705197103080035",
        "潍坊市应急管理局",
        dt.date(2027, 9, 30),
    ),
    (
        "13900000011",
        "forklift",
        "特种设备作业人员证（叉车司机 N1）",
        "TS370705N1-2021-0451",
        "潍坊市市场监督管理局",
        dt.date(2029, 3, 31),
    ),
    (
        "13900000020",
        "forklift",
        "特种设备作业人员证（叉车司机 N1）",
        "TS370783N1-2019-1127",
        "潍坊市市场监督管理局",
        dt.date(2027, 12, 31),
    ),
]

REVIEWERS = {"370702": "13800000002", "370783": "13800000003"}
CITY_STAFF = "13800000001"
COUNTER = "13600000001"
DEMO_MARKER_TITLE = "潍城区零工市场春风行动招聘集市"
CHECKLIST = {key: True for key, _label in services.REVIEW_CHECKLIST}


def _jitter(i: int) -> tuple[float, float]:
    """A deterministic spread of a few kilometres around a market (every sixth one farther away)."""
    dlat = ((i * 37) % 11 - 5) * 0.005
    dlng = ((i * 53) % 13 - 6) * 0.005
    if i % 6 == 5:
        dlng += 0.14  # about 12 km east: beyond the market board's radius
    return dlat, dlng


def _aware(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


@functools.cache
def demo_password_hash() -> str:
    """Hashed once per process: every demo account shares the demo password, and hashing is slow."""
    return make_password(settings.LINGONG_DEMO_PASSWORD)


def _user(
    phone: str, name: str, county: str | None, *, birth: dt.date | None, male: bool, seq: int, roles
) -> User:
    unit = ScopeUnit.objects.filter(code=county).first() if county else None
    user, created = User.objects.get_or_create(phone=phone, defaults={"real_name": name, "scope_unit": unit})
    if created:
        now = timezone.now()
        user.phone_verified_at = now
        if birth:
            user.id_number = make_resident_id(county, birth, seq=seq, male=male)
            user.birth_date, user.gender = birth, ("M" if male else "F")
            user.real_name_verified_at = now
        user.password = demo_password_hash()
        user.save()
    for role in roles:
        RoleGrant.objects.get_or_create(user=user, role=role)
    return User.objects.get(pk=user.pk)  # fresh role cache


def _employers(admin) -> dict[str, EmployerProfile]:
    out = {}
    for seq, (key, (phone, display, kind, county, trusted, contact)) in enumerate(EMPLOYERS.items(), start=1):
        unit = ScopeUnit.objects.get(code=county)
        user = User.objects.filter(phone=phone).first() or _user(
            phone, display, county, birth=None, male=True, seq=300 + seq, roles=[Role.EMPLOYER]
        )
        organization = None
        if kind == EmployerKind.ORGANIZATION:
            organization = user.organizations.first() or Organization.objects.create(
                name=display,
                uscc=make_uscc(county, 5000 + seq),
                contact_name=contact,
                owner=user,
                scope_unit=unit,
            )
        profile = EmployerProfile.objects.filter(user=user).first()
        if profile is None:
            profile = services.employer_register(
                user=user,
                actor=user,
                kind=kind,
                display_name=display,
                scope_unit=unit,
                organization=organization,
            )
            profile = services.employer_review(employer=profile, actor=admin, approve=True, note="资料齐全")
            if trusted:
                EmployerProfile.objects.filter(pk=profile.pk).update(trusted=True)
                profile.refresh_from_db()
        out[key] = profile
    return out


def _workers(markets: dict[str, Market], staff) -> dict[str, User]:
    occupations = {o.code: o for o in Occupation.objects.all()}
    out = {}
    for i, (phone, name, county, birth, male, skills, expected) in enumerate(WORKERS):
        user = User.objects.filter(phone=phone).first() if name is None else None
        if user is None:
            if name is None:
                continue  # the accounts demo did not run
            user = _user(phone, name, county, birth=birth, male=male, seq=200 + i, roles=[Role.WORKER])
        lat, lng = SEATS[county][0], SEATS[county][1]
        dlat, dlng = _jitter(i + 3)
        data = {
            "home_lat": round(lat + dlat * 0.6, 6),
            "home_lng": round(lng + dlng * 0.3, 6),
            "max_distance_km": 10 + (i % 3) * 10,
            "available_days": "123456" if i % 4 else "1234567",
            "available_from": dt.time(5, 0) if i % 2 else dt.time(7, 0),
            "available_to": dt.time(18, 0) if i % 3 else dt.time(21, 0),
            "expected_wage": expected,
            "expected_unit": WageUnit.DAY,
        }
        # Older workers without a smartphone were registered at the counter of their market.
        actor = staff.get(county, user) if i % 5 == 1 else user
        units = [ScopeUnit.objects.get(code=county)]
        services.worker_profile_save(
            user=user,
            actor=actor,
            data=data,
            preferred_units=units,
            skills=[(occupations[code], level, years) for code, level, years in skills],
        )
        out[phone] = User.objects.get(pk=user.pk)
    for phone, occupation, cert_name, number, issuer, expires in CERTIFICATES:
        user = out.get(phone)
        if user is None:
            continue
        Certificate.objects.get_or_create(
            profile=user.worker_profile,
            occupation=occupations[occupation],
            number=number,
            defaults={
                "name": cert_name,
                "issuer": issuer,
                "expires_on": expires,
                "verified_by": staff.get(user.scope_unit.code if user.scope_unit else ""),
                "status": CertificateStatus.VERIFIED,  # checked at the counter (bulk, as an import loads it)
                "verified_at": timezone.now(),
            },
        )
    return out


def _postings(employers, markets, reviewers) -> list[Posting]:
    today = timezone.localdate()
    units = {u.code: u for u in ScopeUnit.objects.all()}
    occupations = {o.code: o for o in Occupation.objects.all()}
    made = []
    n = 0
    for code, rows in COUNTY_POSTINGS.items():
        unit = units[code]
        lat0, lng0, street, _town = SEATS[code]
        for kind_key, offset, days, at_market in rows:
            n += 1
            kind = KINDS[kind_key]
            employer = employers[kind.employer]
            market = markets.get(code) if at_market else None
            if kind_key in ("sorter", "loader") and code == "370783" and at_market:
                market = markets.get("trade") or market
            dlat, dlng = _jitter(n)
            lat, lng = (market.lat, market.lng) if market else (round(lat0 + dlat, 6), round(lng0 + dlng, 6))
            wage = kind.wage
            if kind.unit == WageUnit.DAY and kind.wage >= 200:
                wage = kind.wage + (n % 3) * 10  # a little spread between employers
            start = today + dt.timedelta(days=offset)
            data = {
                "occupation": occupations[kind.occupation],
                "title": kind.title,
                "description": kind.description,
                "requirements": kind.requirements,
                "scope_unit": unit,
                "address": market.address if market else f"潍坊市{unit.name}{street}{100 + n * 7}号附近",
                "lat": lat,
                "lng": lng,
                "market": market,
                "work_start_date": start,
                "work_end_date": start + dt.timedelta(days=days - 1),
                "start_time": kind.hours[0],
                "end_time": kind.hours[1],
                "headcount": kind.headcount,
                "wage_amount": wage,
                "wage_unit": kind.unit,
                "estimated_daily_wage": kind.estimate,
                "settlement": kind.settlement,
                "contact_name": EMPLOYERS[kind.employer][5],
                "contact_phone": employer.user.phone,
            }
            posting = services.posting_create(employer=employer, actor=employer.user, data=data).posting
            services.posting_submit(posting=posting, actor=employer.user)
            posting.refresh_from_db()
            if posting.status == PostingStatus.PENDING_REVIEW:
                services.posting_approve(
                    posting=posting,
                    actor=reviewers.get(code) or reviewers["city"],
                    checklist=CHECKLIST,
                    note="审核通过",
                )
                posting.refresh_from_db()
            made.append(posting)
    # Something for the reviewers: a flagged posting waiting for review and a draft.
    unit = units["370702"]
    flagged = services.posting_create(
        employer=employers["shunda"],
        actor=employers["shunda"].user,
        data={
            "occupation": occupations["warehouse_sorter"],
            "title": "仓库分拣 日结",
            "scope_unit": unit,
            "description": "电商仓库包裹分拣，入职先交工服费50元，干满一周退还。",
            "requirements": "",
            "address": "潍坊市潍城区望留街道物流园",
            "lat": 36.6950,
            "lng": 119.0020,
            "market": None,
            "work_start_date": today + dt.timedelta(days=2),
            "work_end_date": today + dt.timedelta(days=8),
            "start_time": dt.time(19, 0),
            "end_time": dt.time(23, 0),
            "headcount": 20,
            "wage_amount": D("26"),
            "wage_unit": WageUnit.HOUR,
            "settlement": Settlement.DAILY,
            "contact_name": "赵调度",
            "contact_phone": employers["shunda"].user.phone,
        },
    ).posting
    services.posting_submit(posting=flagged, actor=employers["shunda"].user)
    services.posting_create(
        employer=employers["zhouli"],
        actor=employers["zhouli"].user,
        data={
            "occupation": occupations["nanny"],
            "title": "住家保姆（照顾老人）",
            "scope_unit": unit,
            "description": "照顾一位八十岁老人日常起居和做饭，住家，每月休四天。",
            "requirements": "",
            "address": "潍坊市潍城区北关街道",
            "lat": 36.7160,
            "lng": 119.0310,
            "market": None,
            "work_start_date": today + dt.timedelta(days=10),
            "work_end_date": today + dt.timedelta(days=40),
            "start_time": dt.time(7, 0),
            "end_time": dt.time(19, 0),
            "headcount": 1,
            "wage_amount": D("230"),
            "wage_unit": WageUnit.DAY,
            "settlement": Settlement.WEEKLY,
            "contact_name": "周女士",
            "contact_phone": employers["zhouli"].user.phone,
        },
    )
    return made


def _find(postings, county: str, occupation: str, *, start_after_today: bool = False) -> Posting | None:
    today = timezone.localdate()
    for p in postings:
        if (
            p.scope_unit.code == county
            and p.occupation.code == occupation
            and p.status == PostingStatus.PUBLISHED
        ):
            if not start_after_today or p.work_start_date > today:
                return p
    return None


def _applications(postings, workers, employers, staff) -> None:
    w = workers.get
    # 潍城 electrician (two places): both certified electricians accepted — filled — then one withdraws
    # before work starts, and the posting is published again.
    electric = _find(postings, "370702", "electrician", start_after_today=True)
    if electric and w("13900000001") and w("13900000011"):
        a1 = services.application_apply(posting=electric, worker=w("13900000001"), actor=w("13900000001"))
        a2 = services.application_apply(posting=electric, worker=w("13900000011"), actor=w("13900000011"))
        services.application_accept(application=a1, actor=electric.employer.user)
        services.application_accept(application=a2, actor=electric.employer.user)
        services.application_withdraw(application=a2, actor=w("13900000011"), reason="家里有事，去不了了")
    # 潍城 household cleaning: a staff referral (职业介绍), a self application that is rejected.
    clean = _find(postings, "370702", "cleaner")
    if clean and w("13900000002"):
        services.application_apply(
            posting=clean,
            worker=w("13900000002"),
            actor=staff["370702"],
            source=ApplicationSource.REFERRAL,
            note="本人在市场服务台求职，保洁经验12年",
        )
    if clean and w("13900000012"):
        a = services.application_apply(posting=clean, worker=w("13900000012"), actor=w("13900000012"))
        services.application_reject(application=a, actor=clean.employer.user, reason="已找到人")
    # 潍城 hourly helper: applied at the market counter for an older worker.
    hourly = _find(postings, "370702", "hourly_helper")
    counter = User.objects.filter(phone=COUNTER).first()
    if hourly and w("13900000025") and counter:
        services.application_apply(
            posting=hourly, worker=w("13900000025"), actor=counter, note="服务台代报名"
        )
    # 寿光 greenhouse and picking: accepted, applied, withdrawn.
    picking = _find(postings, "370783", "picker")
    if picking:
        for phone, outcome in (
            ("13900000021", "accept"),
            ("13900000022", "apply"),
            ("13900000020", "withdraw"),
        ):
            if not w(phone):
                continue
            a = services.application_apply(posting=picking, worker=w(phone), actor=w(phone))
            if outcome == "accept":
                services.application_accept(application=a, actor=picking.employer.user)
            elif outcome == "withdraw":
                services.application_withdraw(application=a, actor=w(phone), reason="找到了离家更近的活")
    loader = _find(postings, "370783", "loader")
    if loader and w("13900000020"):
        a = services.application_apply(posting=loader, worker=w("13900000020"), actor=w("13900000020"))
        services.application_accept(application=a, actor=loader.employer.user)
    # A few more applications waiting for the employer across the city.
    for phone, county, occupation in (
        ("13900000013", "370703", "construction_helper"),
        ("13900000015", "370705", "rider"),
        ("13900000016", "370724", "picker"),
        ("13900000017", "370725", "greenhouse"),
        ("13900000018", "370781", "banquet_helper"),
        ("13900000019", "370782", "gardener"),
        ("13900000023", "370785", "sewing"),
        ("13900000024", "370786", "construction_helper"),
        ("13900000026", "370702", "porter"),
        ("13900000014", "370704", "cleaner"),
    ):
        posting = _find(postings, county, occupation)
        if posting and w(phone):
            services.application_apply(posting=posting, worker=w(phone), actor=w(phone))


def _fairs(employers, workers, markets, staff) -> None:
    today = timezone.localdate()
    weicheng, shouguang = markets.get("370702"), markets.get("370783")
    unit_a = ScopeUnit.objects.get(code="370702")
    unit_b = ScopeUnit.objects.get(code="370783")
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    if saturday - today < dt.timedelta(days=2):
        saturday += dt.timedelta(days=7)
    fair = services.fair_create(
        actor=staff["370702"],
        data={
            "kind": FairKind.DAY,
            "title": DEMO_MARKER_TITLE,
            "theme": "春风行动 · 家政、建筑、物流专场",
            "scope_unit": unit_a,
            "market": weicheng,
            "place": "" if weicheng else "潍城区胜利西街人社局广场",
            "starts_at": _aware(saturday, dt.time(8, 0)),
            "ends_at": _aware(saturday, dt.time(11, 30)),
            "booth_capacity": 30,
        },
    )
    for key, positions in (
        ("hongda", "电工2名、瓦工3名、工地小工10名"),
        ("shunda", "装卸工6名、搬家工3名"),
        ("hengxin", "保洁员8名、绿化工3名"),
        ("peisong", "外卖骑手20名"),
    ):
        services.fair_book_booth(
            fair=fair, employer=employers[key], actor=employers[key].user, positions=positions
        )
    counter = User.objects.filter(phone=COUNTER).first()
    for phone in ("13900000001", "13900000012", "13900000026", "13900000013"):
        if workers.get(phone):
            services.fair_register_worker(fair=fair, worker=workers[phone], actor=workers[phone])
    if workers.get("13900000002") and counter:
        services.fair_register_worker(fair=fair, worker=workers["13900000002"], actor=counter)

    night = today + dt.timedelta(days=4)
    evening = services.fair_create(
        actor=staff["370783"],
        data={
            "kind": FairKind.NIGHT,
            "title": "寿光市零工夜市（蔬菜物流专场）",
            "theme": "物流园装卸、分拣、大棚用工",
            "scope_unit": unit_b,
            "market": shouguang,
            "place": "" if shouguang else "寿光市圣城街人社局广场",
            "starts_at": _aware(night, dt.time(18, 30)),
            "ends_at": _aware(night, dt.time(21, 0)),
            "booth_capacity": 20,
        },
    )
    services.fair_book_booth(
        fair=evening,
        employer=employers["wuliu"],
        actor=employers["wuliu"].user,
        positions="装卸工10名、分拣工20名",
    )
    services.fair_book_booth(
        fair=evening, employer=employers["chen"], actor=employers["chen"].user, positions="大棚帮工4名"
    )
    for phone in ("13900000021", "13900000020"):
        if workers.get(phone):
            services.fair_register_worker(fair=evening, worker=workers[phone], actor=workers[phone])

    last_week = today - dt.timedelta(days=7)
    past = services.fair_create(
        actor=staff["370702"],
        data={
            "kind": FairKind.NIGHT,
            "title": "潍城区零工夜市（第12期）",
            "theme": "夜间就业服务",
            "scope_unit": unit_a,
            "market": weicheng,
            "place": "" if weicheng else "潍城区胜利西街人社局广场",
            "starts_at": _aware(last_week, dt.time(18, 30)),
            "ends_at": _aware(last_week, dt.time(21, 0)),
            "booth_capacity": 25,
        },
    )
    services.fair_record_outcome(fair=past, actor=staff["370702"], attendance=386, intents=142, hires=57)


def seed(stdout=None) -> None:
    if JobFair.objects.filter(title=DEMO_MARKER_TITLE).exists():
        return
    admin = User.objects.filter(phone="13800000000").first()
    if admin is None:
        return
    staff = {
        code: User.objects.get(phone=phone)
        for code, phone in REVIEWERS.items()
        if User.objects.filter(phone=phone).exists()
    }
    city = User.objects.filter(phone=CITY_STAFF).first() or admin
    staff.setdefault("370702", city)
    staff.setdefault("370783", city)
    reviewers = {**staff, "city": city}
    markets = {
        m.scope_unit.code: m
        for m in Market.objects.public()
        .select_related("scope_unit")
        .filter(name__endswith="零工市场")
        .exclude(name__contains="产业")
    }
    trade = Market.objects.public().filter(name="寿光蔬菜产业零工市场").first()
    if trade:
        markets["trade"] = trade
    employers = _employers(admin)
    workers = _workers(markets, staff)
    postings = _postings(employers, markets, reviewers)
    _applications(postings, workers, employers, staff)
    _fairs(employers, workers, markets, staff)
    if stdout:
        published = Posting.objects.filter(status=PostingStatus.PUBLISHED).count()
        stdout.write(
            f"  jobs: {EmployerProfile.objects.count()} employers, {len(workers)} workers, {Posting.objects.count()} postings "
            f"({published} open), {JobFair.objects.count()} job fairs"
        )
