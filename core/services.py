from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext as _

from .audit import audit_record
from .choices import AuditAction
from .errors import DomainError, NotFound, NotPermitted
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
