"""The messaging journey of issue 14 (ADR 0017) in headless Chromium at 360×640, by clicking only (the first
address, `/`, is the only one typed): a worker logs in, binds WeChat — the local fake's authorize page sends
the browser back with a code — sees it bound on the profile, opens the inbox from the header (which shows the
unread count) and marks a message read. The stored state is asserted at the end."""

from __future__ import annotations

import pytest

from accounts.models import WeChatBinding
from core.models import AuditLog, InboxMessage
from jobs.notifications import notify

from ..jobs.factories import make_worker
from ..support.messaging import use_wechat
from .helpers import reveal
from .test_journeys import Person

PASSWORD = "pass-word-123"  # UserFactory's


@pytest.fixture
def wechat(settings):
    fake = use_wechat(settings)
    yield fake
    fake.stop()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_worker_binds_wechat_and_reads_the_inbox_by_clicking_from_the_home_page(
    chromium,
    live_server,
    county_a,
    wechat,
    js,
):
    worker = make_worker(notify_wechat=True, notify_sms=False)
    notify(worker.pk, "您已被“小区保洁”录用，请查看联系方式。")
    notify(worker.pk, "明天8点上工，请准时到岗。")
    person = Person(chromium, live_server.url, "wechat-worker", js=js)
    page = person.page

    page.goto(live_server.url + "/")
    person.look("home")
    person.click('main a:has-text("登录")', "login")
    page.fill("#id_username", worker.phone)
    page.fill("#id_password", PASSWORD)
    person.click("main button[type=submit]", "logged-in")

    person.nav("我的")
    assert page.inner_text("#wechat-status") == "未绑定"
    person.click('main a:has-text("绑定微信")', "wechat-page")
    person.click("#wechat-bind", "wechat-bound")  # → the fake's authorize page → back with a code
    assert "微信已绑定" in person.message()
    assert "已绑定微信" in page.inner_text("#wechat-bound")

    person.nav("我的")
    assert page.inner_text("#wechat-status").startswith("已绑定")

    reveal(page, "#nav-unread")  # 消息 is in a worker's 更多 menu
    assert page.inner_text("#nav-unread") == "2 条未读"
    person.click('nav.site-nav a[href="/accounts/inbox/"]', "inbox")
    assert page.locator(".inbox-item.unread").count() == 2
    first = InboxMessage.objects.get(user=worker, body="您已被“小区保洁”录用，请查看联系方式。")
    person.click(f"#message-{first.pk} button[value=read]", "read-one")
    assert page.locator(".inbox-item.unread").count() == 1
    reveal(page, "#nav-unread")
    assert page.inner_text("#nav-unread") == "1 条未读"

    # --- the stored state ---
    binding = WeChatBinding.objects.get(user=worker)
    assert binding.openid == wechat.next_openid
    assert (
        AuditLog.objects.filter(object_id=str(binding.pk), content_type__model="wechatbinding").count() == 1
    )
    first.refresh_from_db()
    assert first.read_at is not None
    other = InboxMessage.objects.get(user=worker, body="明天8点上工，请准时到岗。")
    assert other.read_at is None
    person.context.close()
