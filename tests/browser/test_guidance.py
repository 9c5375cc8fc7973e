"""The policy-consultation journey in Chromium, from `/` by clicks: a worker finds a policy, asks a question
online; the county's officer answers it from the counter; the worker reads the answer in the inbox and on
their page. The stored question, its event row and the worker's inbox message are checked at the end."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from core.models import InboxMessage
from guidance.choices import QuestionStatus
from guidance.models import PolicyArticle, Question
from tests.accounts.factories import UserFactory

PASSWORD = "pass-word-123"


def _log_in(page, base, phone):
    page.goto(base + "/")
    page.locator("nav.site-nav a[href^='/accounts/login/']").click()
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_question_asked_online_is_answered_by_county_staff(chromium, live_server, county_a):
    from core.calendar import seed_from_chinese_calendar
    from core.models import CalendarDay

    seed_from_chinese_calendar(CalendarDay)  # transactional tests flush the seeded calendar
    worker = UserFactory(scope_unit=county_a, roles=[Role.WORKER], phone="13900000101")
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], phone="13900000102")
    article = PolicyArticle.objects.create(
        title="灵活就业人员社会保险补贴",
        category="social_insurance",
        doc_number="鲁人社规〔2023〕4号",
        effective_from="2026-01-01",
        body="按实际缴费给予补贴。",
        status="published",
    )
    base = live_server.url

    w = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()
    _log_in(w, base, worker.phone)
    w.click("a.brand")
    w.click("main >> text=政策咨询与职业指导")
    w.fill("#id_q", "社会保险")
    w.click("form[role=search] >> button[type=submit]")
    w.click(f"text={article.title}")
    assert "鲁人社规〔2023〕4号" in w.content()
    w.click("text=对这项政策有疑问？我要咨询")
    w.select_option("#id_category", "social_insurance")
    w.fill("#id_title", "打零工能领社保补贴吗")
    w.fill("#id_body", "我在驿站打零工，自己交养老保险。")
    w.click("main form button.primary")
    w.wait_for_url("**/guidance/questions/*/")
    question = Question.objects.get()
    assert question.asker_id == worker.pk and question.status == QuestionStatus.OPEN

    s = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    _log_in(s, base, officer.phone)
    s.goto(base + "/")  # staff land in the admin; the counter is in the site's menu
    s.click("nav.site-nav >> text=服务台")
    s.click("text=政策咨询答复")
    s.click("text=打零工能领社保补贴吗")
    s.fill("#id_answer", "符合条件的可以申领，请带身份证到服务台办理。")
    s.click("button[value=answer]")
    s.wait_for_selector("text=已答复，已通知咨询人。")

    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_by_id == officer.pk
    assert question.events.get().actor_id == officer.pk
    assert InboxMessage.objects.filter(user=worker, url=f"/guidance/questions/{question.pk}/").count() == 1
    w.goto(base + "/")
    w.click("nav.site-nav >> text=政策咨询")
    w.click("text=我的咨询和预约")
    w.click("text=打零工能领社保补贴吗")
    assert "符合条件的可以申领" in w.content()
