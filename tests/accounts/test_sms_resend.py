"""A resend that works (ADR 0013): the one-a-minute rule counts codes that were delivered or are on their
way, so a person whose code could not be sent (the broker or the SMS provider was down) may ask again at
once; the new code cancels the old one's message, and only the working code arrives."""

from __future__ import annotations

import re

import pytest
from celery.exceptions import Retry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.choices import CodePurpose
from accounts.models import PhoneCode
from config.celery_app import app as current_app
from core.choices import DeliveryStatus, OutboxStatus
from core.errors import RateLimited
from core.models import OutboxMessage
from core.notifications import outbox
from core.queue import outbox_relay_due

from ..support.services import free_port

RESET_URL = reverse("accounts:password_reset")


def texted(phone: str) -> list[str]:
    return [re.search(r"\d{6}", m.body).group() for m in outbox if m.channel == "sms" and m.to == phone]


def press_send(client, phone, capture):
    with capture(execute=True):
        return client.post(RESET_URL, {"action": "send_code", "phone": phone})


@pytest.mark.django_db
def test_password_reset_with_the_broker_down_allows_a_retry_and_delivers_the_code_when_it_returns(
    worker, live_broker, django_capture_on_commit_callbacks
):
    live_broker(f"redis://127.0.0.1:{free_port(range(6380, 6390))}/0")  # nothing listens: the broker is down
    client = Client()
    first = press_send(client, worker.phone, django_capture_on_commit_callbacks)
    assert first.status_code == 200  # the request does not fail
    code_1 = PhoneCode.objects.get(phone=worker.phone)
    assert (
        code_1.delivery.status == DeliveryStatus.PENDING
        and code_1.delivery.outbox.status == OutboxStatus.PENDING
    )

    second = press_send(client, worker.phone, django_capture_on_commit_callbacks)
    assert second.status_code == 200 and "秒后再获取" not in second.content.decode()  # asked again at once
    code_1.refresh_from_db()
    code_2 = PhoneCode.objects.exclude(pk=code_1.pk).get(phone=worker.phone)
    assert code_1.used_at is not None and code_1.delivery.status == DeliveryStatus.CANCELLED
    assert code_2.used_at is None and texted(worker.phone) == []

    # The broker returns: the relay's scan publishes both rows; the cancelled message is not sent.
    live_broker("memory://")
    current_app.conf.task_always_eager = True  # (the worker: the tasks run here)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_relay_due() == 2
    codes = texted(worker.phone)
    assert len(codes) == 1 and code_2.matches(codes[0])
    code_2.refresh_from_db()
    assert code_2.delivery.status == DeliveryStatus.SUCCEEDED
    services.password_reset(phone=worker.phone, code=codes[0], new_password="Xin-Mima-2026")
    worker.refresh_from_db()
    assert worker.check_password("Xin-Mima-2026")

    # Delivered now: the minute counts again.
    with pytest.raises(RateLimited):
        services.phone_code_send(phone=worker.phone, purpose=CodePurpose.RESET_PASSWORD)


class Refusing:
    def send(self, message):
        raise ConnectionError("provider down")


@pytest.mark.django_db
def test_a_code_the_provider_refused_may_be_asked_for_again_at_once(
    worker, settings, django_capture_on_commit_callbacks
):
    settings.LINGONG_NOTIFICATION_BACKEND = "tests.accounts.test_sms_resend.Refusing"
    with pytest.raises(Retry), django_capture_on_commit_callbacks(execute=True):  # the task will retry
        services.phone_code_send(phone=worker.phone, purpose=CodePurpose.RESET_PASSWORD)
    first = PhoneCode.objects.get(phone=worker.phone)
    assert first.delivery.last_error.startswith("ConnectionError")

    settings.LINGONG_NOTIFICATION_BACKEND = "core.notifications.LocmemBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=worker.phone, purpose=CodePurpose.RESET_PASSWORD)
    assert len(texted(worker.phone)) == 1


@pytest.mark.django_db
def test_a_code_on_its_way_still_counts_for_the_minute(
    worker, live_broker, django_capture_on_commit_callbacks
):
    live_broker("memory://")  # the broker took it; no worker has sent it yet
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=worker.phone, purpose=CodePurpose.RESET_PASSWORD)
    code = PhoneCode.objects.get(phone=worker.phone)
    assert code.delivery.status == DeliveryStatus.PENDING and code.delivery.outbox.status == OutboxStatus.SENT
    with pytest.raises(RateLimited):
        services.phone_code_send(phone=worker.phone, purpose=CodePurpose.RESET_PASSWORD)


@pytest.mark.django_db
def test_cancelled_codes_do_not_count_toward_the_daily_limit(
    worker, live_broker, django_capture_on_commit_callbacks, settings
):
    settings.LINGONG_SMS_CODE_DAILY_LIMIT = 3
    live_broker(f"redis://127.0.0.1:{free_port(range(6380, 6390))}/0")
    for _ in range(5):  # the broker is down: each try replaces the last
        with django_capture_on_commit_callbacks(execute=True):
            services.phone_code_send(phone=worker.phone, purpose=CodePurpose.RESET_PASSWORD)
    assert PhoneCode.objects.filter(phone=worker.phone).count() == 5
    assert PhoneCode.objects.filter(delivery__status=DeliveryStatus.CANCELLED).count() == 4
