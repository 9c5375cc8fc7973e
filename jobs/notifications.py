"""Telling workers and employers: through the channels each worker chose (SMS, WeChat subscription
message, in-site inbox; the inbox always), all through the one notification interface (core.notifications). Services call
``notify`` inside their transaction: the delivery rows and the outbox rows are written with the change, so
nothing is said about a rolled-back write and nothing is lost after a committed one (ADR 0013)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from core.choices import MessageChannel
from core.notifications import GENERIC_TEMPLATE, Queued, message_queue, message_queue_many


def _has_phone(user: User) -> bool:
    return bool(user.phone) and user.phone.isdigit()  # anonymised and counter-managed accounts have none


def _openid(user: User) -> str:
    binding = getattr(user, "wechat", None)
    return binding.openid if binding is not None else ""


def channels_for(user: User) -> list[tuple[str, str]]:
    """Where a message to ``user`` goes, as ``(channel, recipient)``: the channels they chose, a WeChat
    message only while their WeChat is bound (else it falls back to SMS), an SMS only to a number they
    have; and always the inbox, whatever else is sent (ADR 0017), so the inbox shows every message."""
    profile = getattr(user, "worker_profile", None)
    chosen = (
        {"sms"}
        if profile is None
        else {c for c, on in (("sms", profile.notify_sms), ("wechat", profile.notify_wechat)) if on}
    )
    out: list[tuple[str, str]] = []
    if "wechat" in chosen:
        openid = _openid(user)
        if openid:
            out.append((MessageChannel.WECHAT, openid))
        else:
            chosen.add("sms")  # not bound (or unbound since): SMS instead, then the inbox
    if "sms" in chosen and _has_phone(user):
        out.append((MessageChannel.SMS, user.phone))
    out.append((MessageChannel.INBOX, str(user.pk)))
    return out


def notify_user(*, user_id: int, body: str, url: str = "", key: str = "") -> int:
    """Tell a person on each of their channels: an inbox row at once, an SMS or WeChat message queued. With
    ``key`` (what the message is about, e.g. ``posting:7:match:42``) a second call with the same key sends
    nothing: a task that runs twice tells once. Returns how many messages were queued."""
    user = User.objects.select_related("worker_profile", "wechat").filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    queued = 0
    sent_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    for channel, to in channels_for(user):
        delivery = message_queue(
            channel=channel,
            to=to,
            body=body,
            url=url,
            key=f"{key}:{channel}" if key else "",
            template=GENERIC_TEMPLATE,
            params={"content": body, "time": sent_at},
        )
        queued += delivery is not None
    return queued


def notify(user_id: int, body: str, url: str = "", key: str = "") -> None:
    """Tell a person, in the current transaction (the messages go out once it commits)."""
    notify_user(user_id=user_id, body=body, url=url, key=key)


def notify_many(items) -> int:
    """``notify`` for many people at once, in the current transaction: ``items`` are (user id, body, url,
    key). The users, their worker profiles and WeChat bindings are read in one query, each one's channels
    chosen by ``channels_for`` and every message written by ``core.notifications.message_queue_many`` —
    the same rows as one ``notify`` per item, in a fixed handful of queries for the lot. Keys work as in
    ``notify_user``: one used before tells nothing again. Returns how many messages were queued."""
    items = list(items)
    if not items:
        return 0
    users = User.objects.select_related("worker_profile", "wechat").filter(
        pk__in={user_id for user_id, _body, _url, _key in items}, is_active=True
    )
    by_id = {user.pk: user for user in users}
    sent_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    messages = [
        Queued(
            channel=channel,
            to=to,
            body=body,
            url=url,
            key=f"{key}:{channel}" if key else "",
            template=GENERIC_TEMPLATE,
            params={"content": body, "time": sent_at},
        )
        for user_id, body, url, key in items
        if user_id in by_id
        for channel, to in channels_for(by_id[user_id])
    ]
    return len(message_queue_many(messages))
