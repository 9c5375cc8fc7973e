"""The subsidies pages: the public programs list, and "what can I get" for the signed-in worker (reached from
their home) with the calculator's answers and reasons in plain words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.choices import Role
from core.months import month_start, previous_month
from subsidies.models import EligibilityDecision

from ..accounts.factories import UserFactory
from .factories import certify, contribution, work_days

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_programs_page_is_public_and_lists_the_four_programs_with_their_notices(client):
    page = text(client.get("/subsidies/"))
    for name in (
        "灵活就业人员社会保险补贴",
        "零工意外伤害保险补贴",
        "职业技能培训补贴",
        "零工市场运营补贴（购买服务）",
    ):
        assert name in page
    assert "财社〔2017〕164号" in page and "上线前由工作人员按本市现行文件核对" in page


def test_what_can_i_get_needs_a_login(client):
    response = client.get("/subsidies/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_worker_home_links_to_what_can_i_get(client_as, worker):
    assert 'href="/subsidies/mine/"' in client_as(worker).get("/jobs/me/").content.decode()


def test_what_can_i_get_shows_the_amount_and_the_reasons(client_as, county_a):
    person = UserFactory(
        scope_unit=county_a, roles=[Role.WORKER], birth_date=dt.date(1980, 6, 15), gender="M"
    )
    last = previous_month(month_start(timezone.localdate()))
    certify(person, valid_from=last - dt.timedelta(days=400))
    work_days(person, last, 5)
    contribution(person, last)
    page = text(client_as(person).get("/subsidies/mine/"))
    # last month: 2/3 × min(800 + 320, 1,120) = 746.67
    assert f"{last:%Y-%m} 可以享受 ：746.67 元" in page
    assert "已认定为就业困难人员" in page and "本平台记录当月结算用工 5 天、收入 1000.00 元" in page
    # the month before has no confirmed contribution: not a no, what is missing
    assert "还不能确定" in page and "还没有社保系统确认的" in page
    # accident insurance: nothing on the insured lists yet
    assert "还没有" in page and "意外伤害保险投保记录" in page
    assert EligibilityDecision.objects.filter(person=person, eligible=True, period_start=last).exists()


def test_what_can_i_get_in_english_has_no_chinese_outside_the_programs(client_as, county_a):
    from subsidies.models import ProgramParameter, ProgramType

    person = UserFactory(
        scope_unit=county_a, roles=[Role.WORKER], birth_date=dt.date(1980, 6, 15), gender="M"
    )
    client = client_as(person)
    client.cookies["django_language"] = "en"
    page = text(client.get("/subsidies/mine/"))
    for value in [*ProgramType.objects.values_list("name", flat=True), person.real_name]:
        page = page.replace(value, "")
    for value in ProgramParameter.objects.values_list("version", flat=True):
        page = page.replace(value, "")
    page = page.replace("简体中文", "")  # the language switch names itself
    leftovers = re.findall(r"[\u3400-\u9fff]+", page)
    assert not leftovers, leftovers[:20]
