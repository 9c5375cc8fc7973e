"""Outbound messages (SMS, WeChat subscription messages, in-site inbox, webhooks) go through one interface.

``send_message`` picks the backend named by ``LINGONG_NOTIFICATION_BACKEND``; the default prints to the
log (and the console of `make run`), tests keep an outbox in memory, and a real SMS provider is a class
with the same ``send`` method.

Exactly-once effects (ADR 0013): a message is a ``MessageDelivery`` row with a unique idempotency key,
written by ``message_queue`` in the sender's transaction. An inbox message is delivered right there (a row in
the same transaction); the others by ``core.tasks.notification_send_task``, which locks the row and sends only
while it is pending, marking it sent in the same transaction, so a task delivered twice sends once. A backend
gets the key as ``Message.key`` and passes it to its provider where the provider takes one (a provider's own
de-duplication covers a worker killed between the provider's answer and the commit).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .choices import DeliveryStatus, MessageChannel, OutboxStatus

logger = logging.getLogger("lingong.notifications")


@dataclass(frozen=True)
class Message:
    channel: str  # "sms", "inbox", "wechat", "webhook"
    to: str
    body: str
    key: str = ""  # the delivery's idempotency key, for providers that de-duplicate


class ConsoleBackend:
    def send(self, message: Message) -> None:
        logger.warning("[%s -> %s] %s", message.channel, message.to, message.body)


outbox: list[Message] = []


class LocmemBackend:
    """Keeps messages in ``core.notifications.outbox`` (tests)."""

    def send(self, message: Message) -> None:
        outbox.append(message)


class DatabaseBackend:
    """Keeps "inbox" messages as InboxMessage rows (``to`` is the user id) and logs the rest."""

    def send(self, message: Message) -> None:
        if message.channel == "inbox":
            from .models import InboxMessage

            InboxMessage.objects.create(user_id=int(message.to), body=message.body)
        else:
            ConsoleBackend().send(message)


def get_backend():
    return import_string(settings.LINGONG_NOTIFICATION_BACKEND)()


def send_message(*, channel: str, to: str, body: str, key: str = "") -> None:
    get_backend().send(Message(channel=channel, to=to, body=body, key=key))


# --- delivery rows ----------------------------------------------------------------------------------------

# How long a delivery row (who was told what) is kept.
DELIVERY_KEEP = timedelta(days=30)
SENSITIVE_BODY = "—"


def message_queue(
    *,
    channel: str,
    to: str,
    body: str,
    key: str = "",
    url: str = "",
    sensitive: bool = False,
):
    """Send one message once, in the caller's transaction: write its delivery row (unique ``key``; a fresh
    one when the caller has none) and either deliver it here (inbox) or queue its sending (SMS, WeChat).
    A key already used means the message was already queued: nothing is written, None is returned.
    ``sensitive`` bodies (SMS codes) are cleared once delivered or cancelled."""
    from .models import InboxMessage, MessageDelivery
    from .queue import enqueue

    assert channel in MessageChannel.values, channel
    key = (key or f"msg:{uuid.uuid4().hex}")[:120]
    with transaction.atomic():  # the row, its effect or its outbox row: together or not at all
        if MessageDelivery.objects.filter(idempotency_key=key).exists():
            return None
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin leaves the transaction usable
                delivery = MessageDelivery.objects.create(
                    channel=channel,
                    recipient=to,
                    body=body,
                    url=url,
                    idempotency_key=key,
                    sensitive=sensitive,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            return None
        if channel == MessageChannel.INBOX:
            InboxMessage.objects.create(user_id=int(to), body=body, url=url)
            _mark_delivered(delivery, timezone.now())
            return delivery
        delivery.outbox = enqueue("core.tasks.notification_send_task", delivery_id=delivery.pk)
        MessageDelivery.objects.filter(pk=delivery.pk).update(outbox=delivery.outbox)
        return delivery


def _mark_delivered(delivery, now) -> None:
    from .models import MessageDelivery

    update = {
        "status": DeliveryStatus.SUCCEEDED,
        "delivered_at": now,
        "next_attempt_at": None,
        "last_error": "",
    }
    if delivery.sensitive:
        update["body"] = SENSITIVE_BODY
    MessageDelivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts, **update)
    for name, value in update.items():
        setattr(delivery, name, value)


def message_deliver(*, delivery_id: int, final: bool = False):
    """Send one queued message unless it was sent (or cancelled) already: the row is locked while it is
    sent and marked sent in the same transaction. A provider error is recorded on the row and raised (the
    task retries it with backoff); on the ``final`` try the row is marked failed. Returns the row, or None
    when there was nothing to do."""
    from .models import MessageDelivery

    error = None
    with transaction.atomic():
        delivery = (
            MessageDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        try:
            send_message(
                channel=delivery.channel,
                to=delivery.recipient,
                body=delivery.body,
                key=delivery.idempotency_key,
            )
        except Exception as exc:
            error = exc
            failed = {"attempts": delivery.attempts, "last_error": f"{type(exc).__name__}: {exc}"[:300]}
            if final:
                failed.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
            MessageDelivery.objects.filter(pk=delivery.pk).update(**failed)
        else:
            _mark_delivered(delivery, timezone.now())
    if error is not None:
        raise error  # after the commit, so that the attempt stays recorded
    return delivery


def message_cancel(*, deliveries) -> int:
    """Cancel queued messages that must no longer go out (an SMS code replaced by a newer one). A
    cancelled message is never sent; one already sent stays sent. Returns how many were cancelled."""
    from .models import MessageDelivery

    return MessageDelivery.objects.filter(pk__in=deliveries, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, next_attempt_at=None, body=SENSITIVE_BODY
    )


def delivered_or_in_flight(prefix: str = "") -> Q:
    """Deliveries that reached the person or are on their way: sent, or handed to the broker and not yet
    failed. A message still waiting in the outbox (the broker was down) or whose provider refused it is
    neither (``accounts.services.phone_code_send`` lets the person ask again at once). ``prefix`` is the
    path to the delivery from the queried model (``"delivery__"``)."""
    return Q(**{f"{prefix}status": DeliveryStatus.SUCCEEDED}) | Q(
        **{
            f"{prefix}status": DeliveryStatus.PENDING,
            f"{prefix}last_error": "",
            f"{prefix}outbox__status": OutboxStatus.SENT,
        }
    )


def message_purge(*, now=None) -> int:
    """Delete delivery rows older than ``DELIVERY_KEEP`` (they hold a number and what it was told)."""
    from .models import MessageDelivery

    cutoff = (now or timezone.now()) - DELIVERY_KEEP
    count, _ = MessageDelivery.objects.filter(created_at__lt=cutoff).delete()
    return count
