from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext as _

from . import masking
from .audit import audit_record
from .choices import DEAD_TASK_TRANSITIONS, AuditAction, DeadTaskStatus
from .errors import DomainError, NotFound, NotPermitted, RateLimited
from .masking import mask, personal_fields
from .models import DeadTask, DeadTaskEvent
from .permissions import require_access
from .queue import enqueue
from .workflow import Workflow

REVEAL_PERMISSION = "core.reveal_personal_data"


def can_reveal(*, actor, obj: models.Model) -> bool:
    model = type(obj)
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.has_perm(REVEAL_PERMISSION)
        and model.objects.visible_to(actor).filter(pk=obj.pk).exists()
    )


@transaction.atomic
def personal_data_reveal(*, actor, obj: models.Model, field: str, reason: str, request=None) -> str:
    """Show one personal value in full to a permitted officer in scope, and log who, what and why.

    Outside the officer's scope the object does not exist for them (NotFound); inside it, without the
    reveal permission, NotPermitted. An empty reason is refused.
    """
    model = type(obj)
    kinds = personal_fields(model)
    if field not in kinds:
        raise DomainError(
            _("该字段不是可查看的个人信息。"), code="invalid_field", fields={"field": [_("无效字段。")]}
        )
    if not model.objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise NotFound()
    if not actor.has_perm(REVEAL_PERMISSION):
        raise NotPermitted()
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(
            _("请填写查看事由。"), code="reason_required", fields={"reason": [_("请填写查看事由。")]}
        )
    value = getattr(obj, field) or ""
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=obj,
        after={"field": field, "value": mask(kinds[field], value)},
        reason=reason,
        request=request,
    )
    return value


# --- looking a person up by a personal value (the oracle rule, ADR 0014) ---------------------------------

PHONE_VALUE = re.compile(r"1[3-9]\d{9}")
ID_VALUE = re.compile(r"\d{15}|\d{17}[\dXx]")


def personal_kind(value: str) -> str | None:
    """ "phone" or "id_number" when ``value`` is a whole mobile number or resident ID, else None."""
    value = (value or "").strip()
    if PHONE_VALUE.fullmatch(value):
        return masking.PHONE
    if ID_VALUE.fullmatch(value):
        return masking.ID_NUMBER
    return None


def may_look_up(actor) -> bool:
    """Who may find a person by their full number or ID: staff holding the reveal permission (in their scope:
    the lookup runs on their scoped rows)."""
    return bool(getattr(actor, "is_authenticated", False) and actor.has_perm(REVEAL_PERMISSION))


@transaction.atomic
def personal_lookup(*, actor, kind: str, value: str, found: bool, reason: str = "", request=None) -> None:
    """Record a lookup by a whole personal value as the reveal it is — who, which kind, the value masked,
    whether it found someone — and hold each person to ``LINGONG_PERSONAL_LOOKUP_LIMIT`` an hour (429 past
    it: a search must not become a way to try every birth date around a masked ID). The caller decided that
    ``actor`` may (``may_look_up``, or the counter service's own rule)."""
    key = f"personal-lookup:{getattr(actor, 'pk', None) or getattr(actor, 'api_client', None) or 'anon'}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        count = 1
    if count > settings.LINGONG_PERSONAL_LOOKUP_LIMIT:
        raise RateLimited(_("按完整号码查找的次数过多，请一小时后再试。"))
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        after={"lookup": kind, "value": mask(kind, value), "found": found},
        reason=reason or _("按完整号码查找"),
        request=request,
    )


# --- dead tasks (ADR 0013) ------------------------------------------------------------------------------

# Declared here rather than beside the model: core.workflow writes audit rows, which import core.models.
DEAD_TASK_WORKFLOW = Workflow(
    model=DeadTask, table=DEAD_TASK_TRANSITIONS, event_model=DeadTaskEvent, subject="dead_task"
)


def dead_task_record(
    *, task: str, task_id: str, args: list, kwargs: dict, exc: BaseException, traceback: str, retries: int
) -> DeadTask:
    """A task failed for good (called by the base task class): keep it for staff, who may retry it."""
    return DeadTask.objects.create(
        task=task,
        task_id=task_id[:64],
        args=_plain(args),
        kwargs=_plain(kwargs),
        exception=f"{type(exc).__name__}: {exc}"[:300],
        traceback=traceback[-20000:],
        retries=retries,
    )


def _plain(value):
    """The task's arguments as JSON (they are ids and plain values; anything else as its text)."""
    import json

    return json.loads(json.dumps(value, default=str))


def _dead_task_access(actor) -> None:
    require_access(
        allowed=bool(getattr(actor, "is_authenticated", False) and actor.has_perm("core.change_deadtask")),
        visible=bool(getattr(actor, "is_authenticated", False) and actor.has_perm("core.view_deadtask")),
    )


@transaction.atomic
def dead_task_retry(*, dead_task: DeadTask, actor, reason: str = "", request=None) -> DeadTask:
    """Staff run a dead task again: a new outbox row with the same name and arguments (its effects check
    their idempotency keys, so what had already happened does not happen twice). Audited."""
    _dead_task_access(actor)
    row = DEAD_TASK_WORKFLOW.lock(dead_task)
    DEAD_TASK_WORKFLOW.check(row.status, DeadTaskStatus.RETRIED)
    try:
        row.retry = enqueue(row.task, **row.kwargs)
    except LookupError:
        raise DomainError(
            _("该任务已不存在，无法重试。"), code="unknown_task", fields={"task": [_("该任务已不存在。")]}
        ) from None
    return DEAD_TASK_WORKFLOW.move(
        row,
        DeadTaskStatus.RETRIED,
        actor=actor,
        reason=reason or _("人工重试"),
        fields=("retry",),
        audit={"outbox": row.retry.pk},
        request=request,
    )


@transaction.atomic
def dead_task_dismiss(*, dead_task: DeadTask, actor, reason: str, request=None) -> DeadTask:
    """Staff decide a dead task is not to be run again (with a reason). Audited."""
    _dead_task_access(actor)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(
            _("请填写忽略原因。"), code="reason_required", fields={"reason": [_("请填写忽略原因。")]}
        )
    row = DEAD_TASK_WORKFLOW.lock(dead_task)
    return DEAD_TASK_WORKFLOW.move(row, DeadTaskStatus.DISMISSED, actor=actor, reason=reason, request=request)


# --- the inbox ----------------------------------------------------------------------------------------


@transaction.atomic
def inbox_mark_read(*, user, message_ids=None) -> int:
    """Mark the person's own messages read (``message_ids``; all unread ones when None). Idempotent: a
    message read before keeps its first read time. Returns how many were newly marked. Not audited: it is
    the person's own reading state, not a record."""
    from django.utils import timezone

    from .selectors import inbox_list

    unread = inbox_list(user=user).filter(read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=list(message_ids))
    return unread.update(read_at=timezone.now())
