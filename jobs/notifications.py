"""Telling workers and employers: through the channels each worker chose (SMS, WeChat subscription
message, in-site inbox), all through the one notification interface (core.notifications)."""

from __future__ import annotations

from accounts.models import User
from core.models import InboxMessage
from core.tasks import notification_send_task


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
    user = User.objects.select_related("worker_profile").filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    for channel in channels_for(user):
        if channel == "inbox":
            InboxMessage.objects.create(user=user, body=body, url=url)
        elif channel == "sms":
            notification_send_task.delay(channel="sms", to=user.phone, body=body)
        else:
            notification_send_task.delay(channel=channel, to=str(user.pk), body=body)
