"""SMS through Tencent Cloud, Alibaba Cloud and the government gateway (ADR 0017), each against a local fake
that checks the request as the provider documents it and recomputes its signature from the test secret:
registration by SMS code end to end, a bad signature refused, a provider failure retried and recorded while
the person sees a clear message (never a 500)."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.exceptions import Retry
from django.test import Client

from accounts import services
from accounts.choices import CodePurpose, Role
from accounts.idgen import make_resident_id
from accounts.models import PhoneCode, User
from core.choices import DeliveryStatus, MessageProvider
from core.models import MessageDelivery
from core.notifications import SENSITIVE_BODY, message_deliver
from core.tasks import notification_send_task
from core.worker import OutsideError

from ..support.messaging import use_sms, wrong_secret

pytestmark = pytest.mark.django_db

PROVIDERS = ["tencent", "aliyun", "gateway"]
REGISTER_URL = "/accounts/register/"
PHONE = "13812345678"


@pytest.fixture(params=PROVIDERS)
def provider(request):
    return request.param


@pytest.fixture
def fake(settings, provider):
    server = use_sms(settings, provider)
    yield server
    server.stop()


def run_send_task(delivery_id: int) -> list:
    """The send task as a worker runs it: each retry is the next run (with its retry count), until it
    succeeds or its retries are used up. Returns the countdowns of the retries Celery scheduled."""
    countdowns = []
    for retries in range(notification_send_task.max_retries + 1):
        try:
            notification_send_task.apply(kwargs={"delivery_id": delivery_id}, retries=retries, throw=True)
        except Retry as retry:
            countdowns.append(retry.when)
            continue
        except OutsideError:  # retries used up: the task failed for good
            break
        break
    return countdowns


def register_form(county, code: str) -> dict:
    return {
        "action": "register",
        "account_type": "worker",
        "phone": PHONE,
        "code": code,
        "real_name": "王小明",
        "id_number": make_resident_id(county.code, dt.date(1990, 5, 6), seq=7, male=True),
        "scope_unit": county.pk,
        "password": "Lg-work-2026",
        "consent": "on",
        "notice_version": services.current_privacy_notice().version,
    }


def press_send(client, capture):
    with capture(execute=True):
        return client.post(REGISTER_URL, {"action": "send_code", "phone": PHONE})


def test_registration_by_sms_code_works_end_to_end_through_the_provider(
    county_a, provider, fake, django_capture_on_commit_callbacks
):
    client = Client()
    sent = press_send(client, django_capture_on_commit_callbacks)
    assert sent.status_code == 200 and not fake.rejected

    # What the provider received, as its document says (the number in its form, our approved template).
    (request,) = fake.accepted
    if provider == "tencent":
        assert request["PhoneNumberSet"] == ["+8613812345678"]
        assert (request["SmsSdkAppId"], request["TemplateId"], request["SignName"]) == (
            "1400000001",
            "LOGIN_TPL",
            "零工市场",
        )
        assert request["TemplateParamSet"][1] == "5"  # minutes: LINGONG_SMS_CODE_TTL 300 s
    elif provider == "aliyun":
        assert (request["PhoneNumbers"], request["TemplateCode"], request["SignName"]) == (
            PHONE,
            "LOGIN_TPL",
            "零工市场",
        )
        assert set(request["TemplateParam"]) == {"code", "minutes"}
    else:
        assert (request["mobile"], request["template_id"], request["app_id"]) == (
            PHONE,
            "LOGIN_TPL",
            "lingong-test",
        )
        assert request["request_id"].startswith("smscode:")
    (code,) = fake.codes()
    assert len(code) == 6 and code.isdigit()

    response = client.post(REGISTER_URL, register_form(county_a, code))
    assert response.status_code == 302

    user = User.objects.get(phone=PHONE)
    assert user.has_role(Role.WORKER) and user.phone_verified_at is not None
    record = PhoneCode.objects.get(phone=PHONE, purpose=CodePurpose.REGISTER)
    assert record.used_at is not None
    delivery = record.delivery
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert delivery.provider == provider
    expected_id = {"tencent": "serial", "aliyun": "BizId", "gateway": "message_id"}[provider]
    assert delivery.provider_message_id == request[expected_id]
    assert delivery.body == SENSITIVE_BODY and delivery.params == {}  # the code is not kept


def test_the_fake_refuses_a_bad_signature_and_the_delivery_fails_without_retries(
    settings, provider, fake, django_capture_on_commit_callbacks
):
    wrong_secret(settings, provider)
    response = press_send(Client(), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert fake.rejected and not fake.accepted
    delivery = MessageDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.last_error.startswith("ProviderRefused")
    page = Client().get(REGISTER_URL)  # another browser: nothing to say to it
    assert "短信没有发送成功" not in page.content.decode()


def test_a_provider_failure_is_retried_recorded_and_the_person_told_never_a_500(
    county_a, provider, fake, live_broker
):
    live_broker("memory://")  # the request only queues the SMS, as in production; the task runs below
    client = Client()
    response = client.post(REGISTER_URL, {"action": "send_code", "phone": PHONE})
    assert response.status_code == 200
    delivery = MessageDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0

    # One attempt meets the provider's "try again" error: recorded, the row waits for its retry.
    fake.fail_next = 1
    with pytest.raises(Exception):  # noqa: B017 - the OutsideError the task retries
        message_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("OutsideError")
    page = client.get(REGISTER_URL)
    assert page.status_code == 200 and "验证码正在重新发送" in page.content.decode()

    # The task (with its retries) gets through after two more failures: three attempts in all.
    fake.fail_next = 2
    countdowns = run_send_task(delivery.pk)
    assert len(countdowns) == 2 and all(c is not None and c >= 0 for c in countdowns)  # retried with backoff
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 4
    assert delivery.provider == provider and delivery.provider_message_id
    (code,) = fake.codes()
    page = client.get(REGISTER_URL)
    assert "验证码正在重新发送" not in page.content.decode()
    assert client.post(REGISTER_URL, register_form(county_a, code)).status_code == 302
    assert User.objects.filter(phone=PHONE).exists()


def test_a_provider_down_for_good_marks_the_delivery_failed_and_says_so(provider, fake, live_broker):
    live_broker("memory://")
    client = Client()
    client.post(REGISTER_URL, {"action": "send_code", "phone": PHONE})
    delivery = MessageDelivery.objects.get()
    fake.fail_next = 100
    assert len(run_send_task(delivery.pk)) == notification_send_task.max_retries  # every retry fails
    delivery.refresh_from_db()
    retries = notification_send_task.max_retries
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == retries + 1
    assert delivery.last_error.startswith("OutsideError")
    page = client.get(REGISTER_URL)
    assert page.status_code == 200 and "短信没有发送成功，请重新获取验证码" in page.content.decode()
    # and the person may ask again at once (a failed code does not count for the minute)
    fake.fail_next = 0
    live_broker("memory://")
    again = client.post(REGISTER_URL, {"action": "send_code", "phone": PHONE})
    assert again.status_code == 200 and "秒后再获取" not in again.content.decode()
    assert MessageDelivery.objects.count() == 2


def test_a_template_without_an_approved_row_is_refused_not_sent(
    settings, fake, django_capture_on_commit_callbacks
):
    from core.models import MessageTemplate

    MessageTemplate.objects.filter(code="login_code", provider=settings.LINGONG_SMS_PROVIDER).update(
        approved=False
    )
    press_send(Client(), django_capture_on_commit_callbacks)
    delivery = MessageDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "no approved template" in delivery.last_error
    assert fake.accepted == []


def test_the_console_provider_only_logs(settings, django_capture_on_commit_callbacks):
    settings.LINGONG_NOTIFICATION_BACKEND = "core.notifications.ProviderBackend"
    settings.LINGONG_SMS_PROVIDER = "console"
    press_send(Client(), django_capture_on_commit_callbacks)
    delivery = MessageDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.provider == MessageProvider.CONSOLE


def test_the_password_reset_page_says_nothing_about_a_failed_sms(worker, fake, live_broker):
    """Only registered numbers are texted on the reset page: a word about a failed SMS would tell which are."""
    live_broker("memory://")
    client = Client()
    client.post("/accounts/password-reset/", {"action": "send_code", "phone": worker.phone})
    delivery = MessageDelivery.objects.get()
    fake.fail_next = 100
    run_send_task(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    page = client.get("/accounts/password-reset/").content.decode()
    assert "短信没有发送成功" not in page and "正在重新发送" not in page


def test_the_minute_and_daily_limits_hold_with_a_real_provider(
    settings, fake, django_capture_on_commit_callbacks
):
    settings.LINGONG_SMS_CODE_DAILY_LIMIT = 2
    client = Client()
    press_send(client, django_capture_on_commit_callbacks)
    again = press_send(client, django_capture_on_commit_callbacks)
    assert "验证码已发送，请60秒后再获取。" in again.content.decode()
    assert len(fake.accepted) == 1
    settings.LINGONG_SMS_CODE_INTERVAL = 0
    press_send(client, django_capture_on_commit_callbacks)
    third = press_send(client, django_capture_on_commit_callbacks)
    assert "该号码今天获取验证码次数过多，请明天再试。" in third.content.decode()
    assert len(fake.accepted) == 2 and PhoneCode.objects.filter(phone=PHONE).count() == 2
