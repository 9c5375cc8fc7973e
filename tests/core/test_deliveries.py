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


# --- the bulk variants (message_queue_many, notify_many) -------------------------------------------------


def _written():
    """Every delivery, inbox and outbox row, as the sender's code would compare them (no ids or times)."""
    deliveries = sorted(
        (
            d.channel,
            d.recipient,
            d.body,
            d.url,
            d.idempotency_key,
            d.status,
            d.sensitive,
            d.template,
            tuple(sorted((k, v) for k, v in d.params.items() if k != "time")),
            d.delivered_at is not None,
            d.next_attempt_at is not None,
            d.attempts,
            d.outbox is not None
            and (d.outbox.task, d.outbox.kwargs == {"delivery_id": d.pk}, d.outbox.status),
        )
        for d in MessageDelivery.objects.select_related("outbox")
    )
    inbox = sorted((m.user_id, m.body, m.url) for m in InboxMessage.objects.all())
    linked = set(MessageDelivery.objects.exclude(outbox=None).values_list("outbox_id", flat=True))
    return (
        deliveries,
        inbox,
        OutboxMessage.objects.count(),
        set(OutboxMessage.objects.values_list("pk", flat=True)) == linked,
    )


def _clear():
    MessageDelivery.objects.all().delete()
    InboxMessage.objects.all().delete()
    OutboxMessage.objects.all().delete()
    outbox.clear()


def _messages(worker):
    return [
        notifications.Queued(channel=MessageChannel.SMS, to="13812345678", body="一", key="bulk:1"),
        notifications.Queued(
            channel=MessageChannel.WECHAT,
            to="oOpenid01",
            body="二",
            key="bulk:2",
            url="/x/",
            template="notice",
            params={"content": "二"},
        ),
        notifications.Queued(
            channel=MessageChannel.INBOX, to=str(worker.pk), body="三", key="bulk:3", url="/y/"
        ),
        notifications.Queued(
            channel=MessageChannel.SMS, to="13812345679", body="码", key="bulk:4", sensitive=True
        ),
        notifications.Queued(
            channel=MessageChannel.INBOX, to=str(worker.pk), body="密", key="bulk:5", sensitive=True
        ),
    ]


@pytest.mark.django_db
def test_message_queue_many_writes_the_rows_of_one_message_queue_per_message(
    worker, django_capture_on_commit_callbacks
):
    messages = _messages(worker)
    with django_capture_on_commit_callbacks(execute=True):
        for m in messages:
            message_queue(
                channel=m.channel,
                to=m.to,
                body=m.body,
                key=m.key,
                url=m.url,
                sensitive=m.sensitive,
                template=m.template,
                params=m.params,
            )
    singly, sent_singly = _written(), sorted((m.channel, m.to, m.body, m.key) for m in outbox)
    _clear()
    with django_capture_on_commit_callbacks(execute=True):
        written = notifications.message_queue_many(messages)
    assert [d.idempotency_key for d in written] == [m.key for m in messages]
    assert _written() == singly
    assert singly[2] == 3 and singly[3]  # three outbox rows (sms, wechat, sms), each linked to its delivery
    # after the commit the relay sent the same messages, each once
    assert sorted((m.channel, m.to, m.body, m.key) for m in outbox) == sent_singly and len(sent_singly) == 3


@pytest.mark.django_db
def test_message_queue_many_sends_nothing_for_a_used_key_or_a_key_twice(
    worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message_queue(channel=MessageChannel.SMS, to="13812345678", body="一", key="bulk:1")
        message_queue(channel=MessageChannel.INBOX, to=str(worker.pk), body="三", key="bulk:3")
    outbox.clear()
    messages = _messages(worker)
    with django_capture_on_commit_callbacks(execute=True):
        written = notifications.message_queue_many([*messages, messages[3]])  # bulk:4 twice
        again = notifications.message_queue_many(messages)
    assert [d.idempotency_key for d in written] == ["bulk:2", "bulk:4", "bulk:5"] and again == []
    assert MessageDelivery.objects.count() == 5 and OutboxMessage.objects.count() == 3
    assert InboxMessage.objects.filter(user=worker).count() == 2
    assert sorted(m.key for m in outbox) == ["bulk:2", "bulk:4"]


@pytest.mark.django_db
def test_a_rolled_back_bulk_queues_nothing(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notifications.message_queue_many(_messages(worker))
                raise RuntimeError
        except RuntimeError:
            pass
    assert (
        MessageDelivery.objects.count() == OutboxMessage.objects.count() == InboxMessage.objects.count() == 0
    )
    assert outbox == []


def _people():
    from accounts.models import WeChatBinding

    sms = make_worker()
    wechat = make_worker(notify_wechat=True, notify_sms=False)
    WeChatBinding.objects.create(user=wechat, app_id="wx0123456789abcdef", openid="oBulkOpenid0001")
    unbound = make_worker(notify_wechat=True, notify_sms=False)  # falls back to SMS
    quiet = make_worker(notify_sms=False)  # the inbox only
    return [sms, wechat, unbound, quiet]


@pytest.mark.django_db
def test_notify_many_writes_the_rows_of_one_notify_per_person(django_capture_on_commit_callbacks):
    people = _people()
    items = [(p.pk, f"通知{p.pk}", f"/o/{p.pk}/", f"about:{p.pk}") for p in people]
    with django_capture_on_commit_callbacks(execute=True):
        singly = sum(notify_user(user_id=u, body=b, url=url, key=k) for u, b, url, k in items)
    rows, sent = _written(), sorted((m.channel, m.to, m.key) for m in outbox)
    _clear()
    from jobs.notifications import notify_many

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_many(items) == singly == 4 + 3  # every inbox, and sms, wechat, sms
        assert notify_many(items) == 0  # the keys are used: nobody is told twice
    assert _written() == rows
    assert sorted((m.channel, m.to, m.key) for m in outbox) == sent


@pytest.mark.django_db
def test_notify_many_costs_the_same_queries_for_four_people_or_forty():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jobs.notifications import notify_many

    people = _people()
    more = people + [make_worker() for _ in range(36)]
    with CaptureQueriesContext(connection) as few, transaction.atomic():
        assert notify_many([(p.pk, "一", "", f"few:{p.pk}") for p in people]) == 4 + 3
    with CaptureQueriesContext(connection) as many, transaction.atomic():
        assert notify_many([(p.pk, "二", "", f"many:{p.pk}") for p in more]) == 40 + 3 + 36
    # users, used keys, deliveries, inbox rows, outbox rows, their link — and the savepoints around them
    writes = [q["sql"].split()[0] for q in many.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(many.captured_queries) == len(few.captured_queries) == 12
    assert writes == ["SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "UPDATE"]
