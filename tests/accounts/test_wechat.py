"""WeChat (ADR 0017): binding an openid through the official account's web authorisation (snsapi_base,
state bound to the session), subscription notifications to bound users — the fake checks touser,
template_id and data — the fallback of an unbound user to SMS and then the inbox, and unbinding."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import WeChatBinding
from core.choices import AuditAction, DeliveryStatus, MessageChannel
from core.models import AuditLog, InboxMessage, MessageDelivery
from jobs.notifications import notify

from ..jobs.factories import make_worker
from ..support.messaging import use_sms, use_wechat

pytestmark = pytest.mark.django_db

WECHAT_URL = "/accounts/profile/wechat/"
AUTHORIZE_URL = "/accounts/profile/wechat/authorize/"
BODY = "您已被“小区保洁（三号楼）”录用，请查看联系方式。"  # 26 characters


@pytest.fixture
def wechat(settings):
    fake = use_wechat(settings)
    yield fake
    fake.stop()


@pytest.fixture
def sms(settings):
    fake = use_sms(settings, "gateway")
    yield fake
    fake.stop()


def follow_to_wechat(url: str) -> str:
    """What a phone's browser does on WeChat's authorize page: it is sent back; returns where to."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    location = response.getheader("Location")
    connection.close()
    assert response.status == 302, response.read()
    return location


def bind(client, fake) -> str:
    """Bind through the pages; returns the callback URL WeChat sent the browser back to."""
    start = client.get(AUTHORIZE_URL)
    assert start.status_code == 302 and start["Location"].startswith(fake.url + "/connect/oauth2/authorize?")
    assert "scope=snsapi_base" in start["Location"] and "state=" in start["Location"]
    back = follow_to_wechat(start["Location"])
    parts = urlsplit(back)
    assert parts.path == "/accounts/profile/wechat/callback/"
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 302 and response["Location"] == WECHAT_URL
    return f"{parts.path}?{parts.query}"


def test_a_worker_binds_wechat_through_web_authorisation(wechat, client_as):
    worker = make_worker(notify_wechat=True)
    client = client_as(worker)
    bind(client, wechat)
    binding = WeChatBinding.objects.get(user=worker)
    assert binding.openid == wechat.next_openid and binding.app_id == "wx0123456789abcdef"
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(binding.pk)).exists()
    page = client.get("/accounts/profile/").content.decode()
    assert "已绑定" in page
    assert wechat.next_openid not in page  # the openid is not shown


def test_a_callback_whose_state_is_not_this_sessions_binds_nothing(wechat, client_as):
    worker = make_worker()
    victim = client_as(worker)
    attacker = Client()
    attacker_worker = make_worker()
    attacker.force_login(attacker_worker, backend="accounts.backends.RoleBackend")
    # The attacker starts a binding and hands their callback link to the victim: the state is not the
    # victim's, so nothing is bound to the victim (nor to the attacker).
    start = attacker.get(AUTHORIZE_URL)
    back = urlsplit(follow_to_wechat(start["Location"]))
    victim.get(AUTHORIZE_URL)  # the victim has a state of their own too
    response = victim.get(f"{back.path}?{back.query}", follow=True)
    assert "授权已失效，请重新绑定。" in response.content.decode()
    assert not WeChatBinding.objects.exists()


def test_a_state_is_used_once(wechat, client_as):
    worker = make_worker()
    client = client_as(worker)
    callback = bind(client, wechat)
    WeChatBinding.objects.all().delete()
    response = client.get(callback, follow=True)
    assert "授权已失效，请重新绑定。" in response.content.decode()
    assert not WeChatBinding.objects.exists()


def test_an_openid_bound_to_someone_else_is_refused(wechat, client_as):
    first, second = make_worker(), make_worker()
    bind(client_as(first), wechat)
    client = client_as(second)
    start = client.get(AUTHORIZE_URL)
    back = urlsplit(follow_to_wechat(start["Location"]))  # the same WeChat (fake.next_openid)
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert "这个微信已绑定其他账号" in response.content.decode()
    assert list(WeChatBinding.objects.values_list("user", flat=True)) == [first.pk]


def test_a_bound_user_receives_a_subscription_message_and_the_inbox_keeps_it(
    wechat, sms, django_capture_on_commit_callbacks
):
    worker = make_worker(notify_wechat=True, notify_sms=False)
    WeChatBinding.objects.create(user=worker, app_id="wx0123456789abcdef", openid="oBoundOpenid0001")
    with django_capture_on_commit_callbacks(execute=True):
        notify(worker.pk, BODY, "/work/1/")

    (sent,) = wechat.accepted
    assert sent["touser"] == "oBoundOpenid0001"
    assert sent["template_id"] == "NOTICE_TPL"
    assert set(sent["data"]) == {"thing1", "time2"}
    # a "thing" value is at most 20 characters: the first 19 and an ellipsis
    assert sent["data"]["thing1"]["value"] == BODY[:19] + "…"
    delivery = MessageDelivery.objects.get(channel=MessageChannel.WECHAT)
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.provider == "wechat"
    assert delivery.provider_message_id == str(sent["msgid"])
    assert sms.accepted == []  # WeChat only (and the inbox), as chosen
    assert list(InboxMessage.objects.filter(user=worker).values_list("body", flat=True)) == [BODY]


def test_an_unbound_user_falls_back_to_sms_then_the_inbox(wechat, sms, django_capture_on_commit_callbacks):
    worker = make_worker(notify_wechat=True, notify_sms=False, notify_inbox=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(worker.pk, "明天8点上工，请准时到岗。")
    assert wechat.accepted == []
    (text,) = sms.accepted
    assert text["mobile"] == worker.phone and text["params"] == {"content": "明天8点上工，请准时到岗。"}
    assert set(MessageDelivery.objects.values_list("channel", flat=True)) == {"sms", "inbox"}
    # the inbox keeps it even though the worker did not tick 站内消息
    assert InboxMessage.objects.filter(user=worker, body="明天8点上工，请准时到岗。").count() == 1


def test_a_user_without_a_mobile_number_still_gets_the_inbox(wechat, sms, django_capture_on_commit_callbacks):
    from accounts.models import User

    worker = make_worker(notify_wechat=True)
    User.objects.filter(pk=worker.pk).update(phone="x0000000001")  # e.g. an account with no phone of its own
    with django_capture_on_commit_callbacks(execute=True):
        notify(worker.pk, "请到服务台领取工资条。")
    assert sms.accepted == [] and wechat.accepted == []
    assert list(MessageDelivery.objects.values_list("channel", flat=True)) == ["inbox"]
    assert InboxMessage.objects.filter(user=worker).count() == 1


def test_unbinding_deletes_the_binding_cancels_waiting_messages_and_falls_back(
    wechat, sms, client_as, live_broker, django_capture_on_commit_callbacks
):
    worker = make_worker(notify_wechat=True, notify_sms=False)
    client = client_as(worker)
    bind(client, wechat)
    live_broker("memory://")  # queued, not yet sent
    notify(worker.pk, "第一条")
    waiting = MessageDelivery.objects.get(channel=MessageChannel.WECHAT)
    response = client.post(WECHAT_URL, {"action": "unbind"})
    assert response.status_code == 302
    assert not WeChatBinding.objects.filter(user=worker).exists()
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.CANCELLED
    assert AuditLog.objects.filter(action=AuditAction.DELETE, content_type__model="wechatbinding").exists()
    notify(worker.pk, "第二条")
    assert MessageDelivery.objects.filter(channel=MessageChannel.SMS, recipient=worker.phone).count() == 1
    assert "未绑定" in client.get("/accounts/profile/").content.decode()


def test_binding_is_off_without_an_official_account(client_as):
    worker = make_worker()
    client = client_as(worker)
    response = client.get(AUTHORIZE_URL, follow=True)
    assert "微信绑定暂未开通。" in response.content.decode()
    assert not WeChatBinding.objects.exists()


def test_the_wechat_pages_need_a_login():
    client = Client()
    for url in (WECHAT_URL, AUTHORIZE_URL, "/accounts/profile/wechat/callback/?code=x&state=y"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
