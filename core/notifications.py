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

from .choices import DeliveryStatus, MessageChannel, MessageProvider, OutboxStatus

logger = logging.getLogger("lingong.notifications")


@dataclass(frozen=True)
class Message:
    channel: str  # "sms", "inbox", "wechat", "webhook"
    to: str
    body: str
    key: str = ""  # the delivery's idempotency key, for providers that de-duplicate
    template: str = ""  # our template code (core.MessageTemplate); "" is the generic notice
    params: dict | None = None  # the template's parameters by our names
    url: str = ""


GENERIC_TEMPLATE = "notice"  # one parameter, ``content``: the body


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


class ProviderBackend:
    """The production backend (ADR 0017): SMS through the provider named by ``LINGONG_SMS_PROVIDER``
    (core.sms), WeChat subscription notifications through the official account (core.wechat; ``to`` is the
    openid), inbox rows in the database. Each message goes out as one of the provider's approved templates
    (core.MessageTemplate); returns the provider's ``SendResult``."""

    def send(self, message: Message):
        from . import sms, wechat

        params = dict(message.params or {}) or {"content": message.body}
        code = message.template or GENERIC_TEMPLATE
        if message.channel == MessageChannel.SMS:
            adapter = sms.sms_adapter()
            template = (
                None
                if adapter.provider == MessageProvider.CONSOLE
                else sms.approved_template(code, adapter.provider)
            )
            if template is None:
                ConsoleBackend().send(message)
                return sms.SendResult(provider=MessageProvider.CONSOLE, status="logged")
            return adapter.send(phone=message.to, template=template, params=params, key=message.key)
        if message.channel == MessageChannel.WECHAT:
            template = sms.approved_template(code, MessageProvider.WECHAT)
            return wechat.WeChatSubscription().send(
                openid=message.to, template=template, params=params, url=message.url, key=message.key
            )
        return DatabaseBackend().send(message)


def get_backend():
    return import_string(settings.LINGONG_NOTIFICATION_BACKEND)()


def send_message(
    *,
    channel: str,
    to: str,
    body: str,
    key: str = "",
    template: str = "",
    params: dict | None = None,
    url: str = "",
):
    """Send one message now through the configured backend; returns what the backend returns (a
    ``core.sms.SendResult`` for the provider backend, None for the others)."""
    message = Message(channel=channel, to=to, body=body, key=key, template=template, params=params, url=url)
    return get_backend().send(message)


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
    template: str = "",
    params: dict | None = None,
):
    """Send one message once, in the caller's transaction: write its delivery row (unique ``key``; a fresh
    one when the caller has none) and either deliver it here (inbox) or queue its sending (SMS, WeChat).
    A key already used means the message was already queued: nothing is written, None is returned.
    ``sensitive`` bodies (SMS codes) are cleared once delivered or cancelled. ``template`` and ``params``
    name the provider template the message goes out as (core.MessageTemplate; the generic notice, whose one
    parameter is the body, when empty)."""
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
                    template=template,
                    params=params or {},
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


@dataclass(frozen=True)
class Queued:
    """One message for ``message_queue_many``: ``message_queue``'s arguments."""

    channel: str
    to: str
    body: str
    key: str = ""
    url: str = ""
    sensitive: bool = False
    template: str = ""
    params: dict | None = None


def message_queue_many(items) -> list:
    """``message_queue`` for many messages (``Queued``) at once, in the caller's transaction, writing the
    same rows in a fixed handful of queries: one read of the keys already used, the delivery rows, the
    inbox rows (delivered at once), the outbox rows of the SMS and WeChat ones and their link. A key used
    before — or twice in ``items`` — sends nothing again. If a concurrent twin took a key between the read
    and the insert, the lot falls back to ``message_queue`` one by one (each in its savepoint, so only the
    twin's message is skipped). Returns the deliveries written, in order."""
    from .models import InboxMessage, MessageDelivery
    from .queue import enqueue_many

    items = list(items)
    for item in items:
        assert item.channel in MessageChannel.values, item.channel
    keyed = [(item, (item.key or f"msg:{uuid.uuid4().hex}")[:120]) for item in items]
    if not keyed:
        return []
    with transaction.atomic():
        used = set(
            MessageDelivery.objects.filter(idempotency_key__in=[k for _i, k in keyed]).values_list(
                "idempotency_key", flat=True
            )
        )
        fresh, seen = [], set()
        for item, key in keyed:
            if key in used or key in seen:
                continue
            seen.add(key)
            fresh.append((item, key))
        if not fresh:
            return []
        now = timezone.now()
        rows = []
        for item, key in fresh:
            inbox = item.channel == MessageChannel.INBOX
            cleared = inbox and item.sensitive  # delivered here: a sensitive body is cleared at once
            rows.append(
                MessageDelivery(
                    channel=item.channel,
                    recipient=item.to,
                    body=SENSITIVE_BODY if cleared else item.body,
                    url=item.url,
                    idempotency_key=key,
                    sensitive=item.sensitive,
                    template=item.template,
                    params={} if cleared else (item.params or {}),
                    status=DeliveryStatus.SUCCEEDED if inbox else DeliveryStatus.PENDING,
                    delivered_at=now if inbox else None,
                    next_attempt_at=None if inbox else now,
                )
            )
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin leaves the transaction usable
                deliveries = MessageDelivery.objects.bulk_create(rows)
        except IntegrityError:
            return [
                d
                for d in (
                    message_queue(
                        channel=item.channel,
                        to=item.to,
                        body=item.body,
                        key=key,
                        url=item.url,
                        sensitive=item.sensitive,
                        template=item.template,
                        params=item.params,
                    )
                    for item, key in fresh
                )
                if d is not None
            ]
        InboxMessage.objects.bulk_create(
            InboxMessage(user_id=int(item.to), body=item.body, url=item.url, created_at=now)
            for item, _key in fresh
            if item.channel == MessageChannel.INBOX
        )
        queued = [d for d in deliveries if d.channel != MessageChannel.INBOX]
        if queued:
            outboxes = enqueue_many(
                "core.tasks.notification_send_task", [{"delivery_id": d.pk} for d in queued]
            )
            for delivery, row in zip(queued, outboxes, strict=True):
                delivery.outbox = row
            MessageDelivery.objects.bulk_update(queued, ["outbox"])
        return deliveries


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
        update["params"] = {}
    MessageDelivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts, **update)
    for name, value in update.items():
        setattr(delivery, name, value)


def message_deliver(*, delivery_id: int, final: bool = False):
    """Send one queued message unless it was sent (or cancelled) already: the row is locked while it is
    sent and marked sent in the same transaction, with the provider's message id and status. A provider
    error is recorded on the row and raised (the task retries it with backoff); on the ``final`` try the row
    is marked failed. A refusal no retry can change (``core.sms.ProviderRefused``: no approved template, an
    invalid number) marks it failed at once and is not raised. Returns the row, or None when there was
    nothing to do."""
    from .models import MessageDelivery
    from .sms import ProviderRefused

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
            result = send_message(
                channel=delivery.channel,
                to=delivery.recipient,
                body=delivery.body,
                key=delivery.idempotency_key,
                template=delivery.template,
                params=delivery.params,
                url=delivery.url,
            )
        except Exception as exc:
            refused = isinstance(exc, ProviderRefused)
            error = None if refused else exc
            failed = {"attempts": delivery.attempts, "last_error": f"{type(exc).__name__}: {exc}"[:300]}
            if final or refused:
                failed.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
            MessageDelivery.objects.filter(pk=delivery.pk).update(**failed)
            for name, value in failed.items():
                setattr(delivery, name, value)
        else:
            if result is not None and getattr(result, "provider", ""):
                delivery.provider = result.provider
                delivery.provider_message_id = result.message_id[:100]
                delivery.provider_receipt = result.status[:100]
                MessageDelivery.objects.filter(pk=delivery.pk).update(
                    provider=delivery.provider,
                    provider_message_id=delivery.provider_message_id,
                    provider_receipt=delivery.provider_receipt,
                )
            _mark_delivered(delivery, timezone.now())
    if error is not None:
        raise error  # after the commit, so that the attempt stays recorded
    return delivery


def message_cancel(*, deliveries) -> int:
    """Cancel queued messages that must no longer go out (an SMS code replaced by a newer one). A
    cancelled message is never sent; one already sent stays sent. Returns how many were cancelled."""
    from .models import MessageDelivery

    return MessageDelivery.objects.filter(pk__in=deliveries, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, next_attempt_at=None, body=SENSITIVE_BODY, params={}
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


def inbox_deliver_many(items) -> int:
    """Many in-site inbox messages at once, each as ``message_queue(channel=INBOX, …)`` would write it — its
    delivery row (unique key, delivered) and the inbox row — in the caller's transaction, in three queries.
    ``items`` are (user id, body, url, key); a key used before sends nothing again. Returns those written."""
    from .models import InboxMessage, MessageDelivery

    items = [(user_id, body, url, key[:120]) for user_id, body, url, key in items]
    if not items:
        return 0
    used = set(
        MessageDelivery.objects.filter(idempotency_key__in=[i[3] for i in items]).values_list(
            "idempotency_key", flat=True
        )
    )
    now = timezone.now()
    fresh, seen = [], set()
    for user_id, body, url, key in items:
        if key in used or key in seen:
            continue
        seen.add(key)
        fresh.append((user_id, body, url, key))
    MessageDelivery.objects.bulk_create(
        MessageDelivery(
            channel=MessageChannel.INBOX,
            recipient=str(user_id),
            body=body,
            url=url,
            idempotency_key=key,
            status=DeliveryStatus.SUCCEEDED,
            delivered_at=now,
            next_attempt_at=None,
            created_at=now,
        )
        for user_id, body, url, key in fresh
    )
    InboxMessage.objects.bulk_create(
        InboxMessage(user_id=int(user_id), body=body, url=url, created_at=now)
        for user_id, body, url, _ in fresh
    )
    return len(fresh)
