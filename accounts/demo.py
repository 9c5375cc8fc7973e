"""The accounts part of the demo city: a functional zone, people of every role with the demo password, and an
API client for one county (registered with ``core.demo``; run by ``manage.py seed_demo``). Idempotent."""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from core.choices import MessageChannel, ScopeUnitKind
from core.models import Division, ScopeUnit
from core.notifications import message_queue

from .choices import Role
from .idgen import make_resident_id, make_uscc
from .models import ApiClient, Consent, Organization, RoleGrant, User
from .services import api_client_issue, current_privacy_notice, role_grant

# phone, name, roles, county code (None = city), birth date, male
PEOPLE = [
    ("13800000001", "市局管理员", [Role.CITY_STAFF], None, dt.date(1982, 3, 14), True),
    ("13800000002", "潍城区人社局 王敏", [Role.COUNTY_STAFF], "370702", dt.date(1988, 7, 2), False),
    ("13800000003", "寿光市人社局 李强", [Role.COUNTY_STAFF], "370783", dt.date(1979, 11, 23), True),
    ("13800000004", "市审计员 赵静", [Role.AUDITOR], None, dt.date(1985, 1, 9), False),
    ("13800000005", "潍城区审计员 孙磊", [Role.AUDITOR], "370702", dt.date(1990, 6, 30), True),
    ("13900000001", "张建国", [Role.WORKER], "370702", dt.date(1968, 4, 18), True),
    ("13900000002", "刘桂英", [Role.WORKER], "370702", dt.date(1972, 9, 5), False),
    ("13900000003", "陈志刚", [Role.WORKER, Role.EMPLOYER], "370783", dt.date(1975, 12, 1), True),
    ("13900000004", "王小军", [Role.WORKER], "370783", dt.date(2009, 5, 20), True),  # a minor (17)
    ("13700000001", "周丽", [Role.EMPLOYER], "370702", dt.date(1986, 5, 12), False),
    ("13700000002", "潍坊鸿达建筑劳务有限公司", [Role.EMPLOYER], "370705", None, True),
    ("13600000001", "白浪河零工市场 服务台", [Role.MARKET_OPERATOR], "370702", dt.date(1983, 8, 8), True),
    (
        "13600000002",
        "潍坊技师学院培训部",
        [Role.TRAINING_INSTITUTION],
        "370705",
        dt.date(1977, 10, 10),
        False,
    ),
]

ZONES = [("370772", "潍坊滨海经济技术开发区", "370703")]


def seed(stdout=None) -> None:
    password = settings.LINGONG_DEMO_PASSWORD
    for code, name, county in ZONES:
        ScopeUnit.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": ScopeUnitKind.ZONE,
                "division": Division.objects.get(code=county),
            },
        )
    units = {u.code: u for u in ScopeUnit.objects.all()}
    notice = current_privacy_notice()
    admin, _ = User.objects.get_or_create(
        phone="13800000000", defaults={"real_name": "系统管理员", "is_staff": True, "is_superuser": True}
    )
    admin.set_password(password)
    admin.save()
    lines = [("13800000000", "系统管理员", "superuser")]
    for i, (phone, name, roles, county, birth, male) in enumerate(PEOPLE, start=1):
        unit = units.get(county) if county else None
        user, created = User.objects.get_or_create(
            phone=phone, defaults={"real_name": name, "scope_unit": unit}
        )
        if created:
            now = timezone.now()
            user.phone_verified_at = now
            if birth:
                area = county or "370702"
                user.id_number = make_resident_id(area, birth, seq=i, male=male)
                user.birth_date, user.gender = birth, ("M" if male else "F")
                user.real_name_verified_at = now
            user.set_password(password)
            user.save()
            if notice:
                Consent.objects.get_or_create(user=user, notice=notice)
        for role in roles:
            if role in (Role.COUNTY_STAFF, Role.CITY_STAFF, Role.AUDITOR):
                role_grant(actor=admin, user=user, role=role, scope_unit=unit)
            else:
                RoleGrant.objects.get_or_create(user=user, role=role)
        if phone == "13700000002" and not user.organizations.exists():
            Organization.objects.create(
                name=name,
                uscc=make_uscc("370705", 4021),
                contact_name="马经理",
                owner=user,
                scope_unit=unit,
            )
        lines.append((phone, name, "、".join(str(Role(r).label) for r in roles)))
    for phone in ("13900000001", "13900000002"):  # the inbox has something to show (ADR 0017)
        worker = User.objects.get(phone=phone)
        message_queue(
            channel=MessageChannel.INBOX,
            to=str(worker.pk),
            body=gettext(
                "欢迎使用零工市场服务平台。录用、上工、付款等通知都会出现在这里，也可以绑定微信接收。"
            ),
            url="/accounts/profile/wechat/",
            key=f"demo:welcome:{worker.pk}",
        )
    card_line = _seed_counter_worker(units, notice)
    if card_line:
        lines.append(card_line)
    token_line = ""
    if not ApiClient.objects.filter(name="潍城区人社局业务系统").exists():
        _client, raw = api_client_issue(
            actor=admin, name="潍城区人社局业务系统", scope_unit=units["370702"], days=365
        )
        token_line = raw
    _write(stdout, ("Demo city ready. Logins (password for all: %s):" % password))
    for phone, name, roles in lines:
        _write(stdout, f"  {phone}  {name}  [{roles}]")
    if token_line:
        _write(stdout, f"  API token for 潍城区 (shown once): {token_line}")


def _seed_counter_worker(units, notice):
    """An older worker without a phone, opened at the 白浪河 market counter (ADR 0019): no login number, a
    daughter's number as a contact, a consent scan (a blank page drawn here), a worker card."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from .services import counter_account_create

    operator = User.objects.filter(phone="13600000001").first()
    number = make_resident_id("370702", dt.date(1961, 3, 9), seq=88, male=True)
    existing = User.objects.filter(id_number=number).select_related("counter_account").first()
    if existing is None and operator and notice:
        page = io.BytesIO()
        Image.new("L", (620, 877), 255).save(page, format="PNG")
        existing = counter_account_create(
            actor=operator,
            real_name="马长顺",
            id_number=number,
            scope_unit=units["370702"],
            id_checked=True,
            notice_version=notice.version,
            consent_scan=SimpleUploadedFile("consent.png", page.getvalue(), content_type="image/png"),
            relative_phone="13900000002",
            relative_relation="子女",
        )
    account = getattr(existing, "counter_account", None)
    if account is None:
        return None
    return (f"card {account.card_display}", "马长顺", "零工（服务台代管，无手机号）")


def _write(stdout, line: str) -> None:
    if stdout is not None:
        stdout.write(line)
