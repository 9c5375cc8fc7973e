"""Demo training (called by `manage.py seed_demo`), built through the services: the demo training institution
(潍坊技师学院培训部) filed, with a sign-up point and a classroom in the first county's first public market; a
low-voltage electrician class (特种作业, 80 课时) there a week from now, approved, with a demo worker enrolled;
and an online rider course. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.idgen import make_uscc
from accounts.models import User
from core.calendar import SHANGHAI
from markets.models import Market

from .choices import ClassMode, InstitutionGrade, SignUpPointKind, VenueKind
from .models import CatalogueItem, Institution, InstitutionMember
from .services import classes, enrollment, institutions

INSTITUTION_PHONE = "13600000002"


def _licence_png() -> ContentFile:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 80), "white").save(out, format="PNG")
    return ContentFile(out.getvalue(), name="licence.png")


def _sessions(training_class, actor, first_day: dt.date, count: int, *, hour: int = 9, minutes: int = 180):
    for i in range(count):
        start = dt.datetime.combine(first_day + dt.timedelta(days=i), dt.time(hour), tzinfo=SHANGHAI)
        classes.session_add(
            training_class, actor, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes)
        )


def seed(stdout=None) -> None:
    from django.apps import apps

    from .reference import seed_reference

    seed_reference(apps.get_model)  # idempotent: the catalogue the classes below are opened for
    founder = User.objects.filter(phone=INSTITUTION_PHONE).first()
    market = Market.objects.public().order_by("scope_unit__code", "pk").first()
    city = User.objects.filter(phone="13800000001").first()
    if founder is None or market is None or city is None:
        return
    if InstitutionMember.objects.filter(user=founder).exists():
        return

    def reviewer(training_class):
        """The class's county staff where the demo has some, else city staff."""
        staff = User.objects.filter(
            role_grants__role="county_staff", role_grants__scope_unit=training_class.scope_unit_id
        )
        return staff.order_by("pk").first() or city

    institution = institutions.institution_apply(
        founder,
        {
            "name": "潍坊技师学院培训部",
            "uscc": make_uscc(founder.scope_unit.code if founder.scope_unit else "370705", 5101, kind="12"),
            "licence_number": "教民137070570000118",
            "scope_unit": (founder.scope_unit or market.scope_unit).pk,
            "address": "潍坊市奎文区东风东街8979号",
            "contact_name": "王老师",
            "contact_phone": "0536-8786123",
            "description": "承担电工、焊工等特种作业和养老护理、网约配送员等职业技能培训，在零工市场设有报名点。",
        },
        _licence_png(),
    )
    institutions.institution_review(institution, city, True, "材料齐全，同意备案")
    institutions.institution_grade(Institution.objects.get(pk=institution.pk), city, InstitutionGrade.A)
    for kind, location, hours in (
        (SignUpPointKind.SIGNUP, "服务大厅东侧培训报名窗口", "每天 7:00–11:00"),
        (SignUpPointKind.CLASSROOM, "服务大厅二楼培训教室", "开班期间 9:00–12:00"),
    ):
        institutions.signup_point_save(
            institution,
            founder,
            {"market": market.pk, "kind": kind, "location": location, "opening_hours": hours, "seats": 40},
        )
    today = timezone.localdate()
    first_day = today + dt.timedelta(days=7)
    electrician = classes.class_save(
        institution,
        founder,
        {
            "item": CatalogueItem.objects.get(code="electrician-special").pk,
            "title": "低压电工作业（特种作业）培训班",
            "venue_kind": VenueKind.MARKET_CLASSROOM,
            "market": market.pk,
            "capacity": 30,
            "waitlist_limit": 10,
            "starts_on": first_day.isoformat(),
            "ends_on": (first_day + dt.timedelta(days=19)).isoformat(),
            "teachers": "张工（高级电工、注册安全工程师）",
            "roster_plan": "面向在市场找活的电工、装修工，持证后可接电工类零活",
            "exam_plan": "结业后参加应急管理部门特种作业操作证考核",
            "description": "理论与实操结合，20次课共80课时，在零工市场二楼培训教室上课，扫码签到。",
        },
    )
    _sessions(electrician, founder, first_day, 20)
    classes.class_submit(electrician, founder)
    classes.class_review(electrician, reviewer(electrician), True, "同意开班")
    rider = classes.class_save(
        institution,
        founder,
        {
            "item": CatalogueItem.objects.get(code="rider-training").pk,
            "title": "网约配送员岗位技能培训（线上）",
            "mode": ClassMode.ONLINE,
            "online_platform": "潍坊市职业技能线上培训平台",
            "capacity": 100,
            "starts_on": (today + dt.timedelta(days=3)).isoformat(),
            "ends_on": (today + dt.timedelta(days=8)).isoformat(),
            "teachers": "李老师",
            "roster_plan": "面向外卖、跑腿骑手",
            "exam_plan": "线上考核，合格发培训合格证书",
            "description": "交通安全、平台规则、劳动权益和职业伤害保障，共24课时，晚上上课。",
        },
    )
    _sessions(rider, founder, today + dt.timedelta(days=3), 6, hour=19)
    classes.class_submit(rider, founder)
    classes.class_review(rider, reviewer(rider), True, "同意开班")
    worker = User.objects.filter(phone="13900000001").first()
    if worker is not None:
        enrollment.enroll(electrician, worker, worker)
    if stdout:
        stdout.write("  training: 1 filed institution, 2 approved classes, 1 enrollment")
