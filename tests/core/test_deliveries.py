"""Exactly-once effects (ADR 0013): every outbound message is a delivery row with a unique idempotency key,
checked before sending, so a task that runs twice sends once."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from core import notifications
from core.choices import DeliveryStatus, MessageChannel
from core.models import InboxMessage, MessageDelivery, OutboxMessage
from core.notifications import message_deliver, message_queue, outbox
from core.tasks import notification_send_task
from jobs.notifications import channels_for, notify_user
from jobs.tasks import posting_notify_matches_task

from ..jobs.factories import make_worker, published_posting


@pytest.mark.django_db
def test_a_message_is_a_delivery_row_and_an_outbox_row_in_the_senders_transaction():
    with transaction.atomic():
        delivery = message_queue(channel=MessageChannel.SMS, to="13812345678", body="你好", key="k1")
    assert delivery.status == DeliveryStatus.PENDING and delivery.idempotency_key == "k1"
    assert delivery.outbox.task == "core.tasks.notification_send_task"
    assert delivery.outbox.kwargs == {"delivery_id": delivery.pk}
    assert outbox == []  # nothing is sent before the commit


@pytest.mark.django_db
def test_the_same_key_twice_queues_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = message_queue(channel=MessageChannel.SMS, to="13812345678", body="一", key="same")
        second = message_queue(channel=MessageChannel.SMS, to="13812345678", body="一", key="same")
    assert first is not None and second is None
    assert MessageDelivery.objects.count() == 1 and OutboxMessage.objects.count() == 1
    assert [m.body for m in outbox] == ["一"]
    first.refresh_from_db()
    assert first.status == DeliveryStatus.SUCCEEDED and first.delivered_at is not None


@pytest.mark.django_db
def test_a_send_task_delivered_twice_sends_once(django_capture_on_commit_callbacks):
    with transaction.atomic():
        delivery = message_queue(channel=MessageChannel.SMS, to="13812345678", body="一次", key="twice")
    assert notification_send_task(delivery_id=delivery.pk) is True
    assert notification_send_task(delivery_id=delivery.pk) is False  # the redelivered task
    assert [m.body for m in outbox] == ["一次"] and outbox[0].key == "twice"  # the key reaches the backend


@pytest.mark.django_db
def test_a_cancelled_message_is_never_sent():
    with transaction.atomic():
        delivery = message_queue(channel=MessageChannel.SMS, to="13812345678", body="旧码", sensitive=True)
    assert notifications.message_cancel(deliveries=[delivery.pk]) == 1
    assert notification_send_task(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert outbox == [] and delivery.status == DeliveryStatus.CANCELLED and delivery.body == "—"


@pytest.mark.django_db
def test_a_sensitive_body_is_cleared_once_delivered():
    with transaction.atomic():
        delivery = message_queue(
            channel=MessageChannel.SMS, to="13812345678", body="验证码123456", sensitive=True
        )
    notification_send_task(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert outbox[0].body == "验证码123456" and delivery.body == "—"


class Refusing:
    def send(self, message):
        raise ConnectionError("provider down")


@pytest.mark.django_db
def test_a_provider_error_is_recorded_and_raised_then_failed_on_the_last_try(settings):
    settings.LINGONG_NOTIFICATION_BACKEND = "tests.core.test_deliveries.Refusing"
    with transaction.atomic():
        delivery = message_queue(channel=MessageChannel.SMS, to="13812345678", body="x")
    with pytest.raises(ConnectionError):
        message_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error == "ConnectionError: provider down"
    with pytest.raises(ConnectionError):
        message_deliver(delivery_id=delivery.pk, final=True)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2


@pytest.mark.django_db
def test_an_inbox_message_is_delivered_in_the_senders_transaction(worker):
    with transaction.atomic():
        delivery = message_queue(channel=MessageChannel.INBOX, to=str(worker.pk), body="站内", key="inbox-1")
        assert InboxMessage.objects.filter(user=worker, body="站内").count() == 1
        assert (
            message_queue(channel=MessageChannel.INBOX, to=str(worker.pk), body="站内", key="inbox-1") is None
        )
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.outbox is None
    assert InboxMessage.objects.filter(user=worker).count() == 1


@pytest.mark.django_db
def test_notify_user_with_a_key_tells_once_per_channel(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_user(user_id=worker.pk, body="通知", key="about:1") == 2  # sms + inbox
        assert notify_user(user_id=worker.pk, body="通知", key="about:1") == 0
    assert set(MessageDelivery.objects.values_list("idempotency_key", flat=True)) == {
        "about:1:sms",
        "about:1:inbox",
    }
    assert InboxMessage.objects.filter(user=worker).count() == 1
    assert [(m.channel, m.to) for m in outbox] == [("sms", worker.phone)]


@pytest.mark.django_db
def test_the_match_notification_task_run_twice_tells_each_worker_once(django_capture_on_commit_callbacks):
    posting = published_posting()
    worker = make_worker()
    with django_capture_on_commit_callbacks(execute=True):
        assert posting_notify_matches_task(posting_id=posting.pk) == 1
        assert posting_notify_matches_task(posting_id=posting.pk) == 1  # redelivered: nothing new is sent
    assert InboxMessage.objects.filter(user=worker).count() == 1
    keys = set(MessageDelivery.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"posting:{posting.pk}:match:{worker.pk}:{c}" for c, _to in channels_for(worker)}
    assert len(outbox) == len(keys) - 1  # every channel but the inbox went through the send task, once


@pytest.mark.django_db
def test_staff_read_the_outbox_and_deliveries_masked_and_codes_never_shown(city_staff, client_as):
    with transaction.atomic():
        delivery = message_queue(
            channel=MessageChannel.SMS, to="13812345678", body="验证码654321", sensitive=True
        )
    client = client_as(city_staff)
    listing = client.get(reverse("admin:core_messagedelivery_changelist")).content.decode()
    assert "138****5678" in listing and "13812345678" not in listing
    page = client.get(reverse("admin:core_messagedelivery_change", args=[delivery.pk])).content.decode()
    assert "654321" not in page and "13812345678" not in page and "138****5678" in page
    outbox_page = client.get(reverse("admin:core_outboxmessage_changelist"))
    assert (
        outbox_page.status_code == 200 and "core.tasks.notification_send_task" in outbox_page.content.decode()
    )
