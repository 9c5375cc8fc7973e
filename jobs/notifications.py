"""Telling workers and employers: through the channels each worker chose (SMS, WeChat subscription
message, in-site inbox), all through the one notification interface (core.notifications). Services call
``notify`` inside their transaction: the delivery rows and the outbox rows are written with the change, so
nothing is said about a rolled-back write and nothing is lost after a committed one (ADR 0013)."""

from __future__ import annotations

from accounts.models import User
from core.choices import MessageChannel
from core.notifications import message_queue


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


def notify_user(*, user_id: int, body: str, url: str = "", key: str = "") -> int:
    """Tell a person on each of their channels: an inbox row at once, an SMS or WeChat message queued. With
    ``key`` (what the message is about, e.g. ``posting:7:match:42``) a second call with the same key sends
    nothing: a task that runs twice tells once. Returns how many messages were queued."""
    user = User.objects.select_related("worker_profile").filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    queued = 0
    for channel in channels_for(user):
        if channel == MessageChannel.SMS and not user.phone:
            continue  # a counter-managed worker has no number of their own (never a relative's, ADR 0019)
        to = user.phone if channel == MessageChannel.SMS else str(user.pk)
        delivery = message_queue(
            channel=channel, to=to, body=body, url=url, key=f"{key}:{channel}" if key else ""
        )
        queued += delivery is not None
    return queued


def notify(user_id: int, body: str, url: str = "", key: str = "") -> None:
    """Tell a person, in the current transaction (the messages go out once it commits)."""
    notify_user(user_id=user_id, body=body, url=url, key=key)
