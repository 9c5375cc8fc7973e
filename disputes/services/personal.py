"""The complainant's personal data on staff pages (ADR 0032): the mobile number and the resident ID, masked by
default wherever staff read a case (the case page, the referral packet, the admin), and revealed one value at a
time to staff of the case's county holding ``core.reveal_personal_data``, with a reason, each reveal one audit
row. The value may live on the case (a counter or hotline complaint, a wage-arrears clue) or on the
complainant's account (an online complaint): either way the case is the object of the reveal and its county
the scope, so ``core.services.personal_data_reveal`` (a field of one row, that row's scope) is not used."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import masking
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, NotFound, NotPermitted
from core.services import REVEAL_PERMISSION

from ..models import Case
from ..permissions import is_staff_viewer

# the values a reveal may show: {name: (masking kind, label)}
COMPLAINANT_FIELDS = {
    "phone": (masking.PHONE, gettext_lazy("联系电话")),
    "id_number": (masking.ID_NUMBER, gettext_lazy("身份证号")),
}


def complainant_value(case: Case, field: str) -> str:
    """The full value: the case's own (recorded by staff or from a clue), else the complainant's account's."""
    account = case.complainant if case.complainant_id else None
    if field == "phone":
        return case.complainant_phone or (getattr(account, "phone", "") or "")
    if field == "id_number":
        return case.clue_id_number or (getattr(account, "id_number", "") or "")
    raise KeyError(field)


def complainant_masked(case: Case) -> dict[str, str]:
    """{field: masked value} of the complainant's mobile and resident ID (empty when there is none)."""
    return {
        field: masking.mask(kind, complainant_value(case, field))
        for field, (kind, _l) in COMPLAINANT_FIELDS.items()
    }


def can_reveal_complainant(user, case: Case) -> bool:
    """Staff of the case's county (or the city) with the reveal permission."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm(REVEAL_PERMISSION)
        and is_staff_viewer(user, case)
    )


@transaction.atomic
def complainant_reveal(*, case: Case, actor, field: str, reason: str, request=None) -> str:
    """Show one of the complainant's values in full and write the audit row (who, which value — masked — and
    why). A case outside the actor's scope does not exist for them (404); someone who sees it without being
    staff with the reveal permission in its county (the complainant, the respondent, an auditor) is refused
    (403); no reason, 400 on ``reason``."""
    if field not in COMPLAINANT_FIELDS:
        raise DomainError(
            _("该字段不是可查看的个人信息。"), code="invalid_field", fields={"field": [_("无效字段。")]}
        )
    visible = Case.objects.visible_to(actor).select_related("complainant").filter(pk=case.pk).first()
    if visible is None:
        raise NotFound()
    if not can_reveal_complainant(actor, visible):
        raise NotPermitted()
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(
            _("请填写查看事由。"), code="reason_required", fields={"reason": [_("请填写查看事由。")]}
        )
    value = complainant_value(visible, field)
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=visible,
        after={"field": f"complainant_{field}", "value": masking.mask(COMPLAINANT_FIELDS[field][0], value)},
        reason=reason[:500],
        request=request,
    )
    return value
