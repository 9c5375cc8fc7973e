from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext as _

from . import masking
from .audit import audit_record
from .choices import AuditAction
from .errors import DomainError, NotFound, NotPermitted, RateLimited
from .masking import mask, personal_fields

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
