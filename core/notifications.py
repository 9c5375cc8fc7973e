"""Outbound messages (SMS, WeChat subscription messages, in-site inbox, webhooks) go through one interface.

``send_message`` picks the backend named by ``LINGONG_NOTIFICATION_BACKEND``; the default prints to the
log (and the console of `make run`), tests keep an outbox in memory, and a real SMS provider is a class
with the same ``send`` method.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("lingong.notifications")


@dataclass(frozen=True)
class Message:
    channel: str  # "sms", "inbox", "wechat", "webhook"
    to: str
    body: str


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


def send_message(*, channel: str, to: str, body: str) -> None:
    get_backend().send(Message(channel=channel, to=to, body=body))
