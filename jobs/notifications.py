"""Telling workers and employers: through the channels each worker chose (SMS, WeChat subscription
message, in-site inbox), all through the one notification interface (core.notifications). Services call
``notify`` inside their transaction; the message goes out once it commits."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from core.models import InboxMessage
from core.queue import enqueue


def channels_for(user: User) -> list[str]:
    profile = getattr(user, "worker_profile", None)
    if profile is None:
        return ["sms", "inbox"]
    out = []
    if profile.notify_sms:
        out.append("sms")
    if profile.notify_wechat:
        out.append("wechat")
    if profile.notify_inbox:
        out.append("inbox")
    return out


def notify_user(*, user_id: int, body: str, url: str = "") -> None:
    """Deliver now: an inbox row, and an SMS or WeChat message queued for each other channel."""
    user = User.objects.select_related("worker_profile").filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    for channel in channels_for(user):
        if channel == "inbox":
            InboxMessage.objects.create(user=user, body=body, url=url)
        elif channel == "sms":
            enqueue("core.tasks.notification_send_task", channel="sms", to=user.phone, body=body)
        else:
            enqueue("core.tasks.notification_send_task", channel=channel, to=str(user.pk), body=body)


def notify(user_id: int, body: str, url: str = "") -> None:
    """Tell a person once the current transaction commits (nothing is said about a rolled-back write)."""
    transaction.on_commit(lambda: notify_user(user_id=user_id, body=body, url=url))
