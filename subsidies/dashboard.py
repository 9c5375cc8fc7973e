"""Staff dashboard panel for the operator subsidy (ADR 0033): the drafts awaiting review in the user's scope,
and the way to compute a quarter (the admin's compute page)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel
from core.scope import scope_of

from .choices import AssessmentStatus
from .models import OperatorAssessment

LIMIT = 20


@register_panel
def operator_assessments_to_review(user):
    if not getattr(user, "is_authenticated", False) or scope_of(user).is_empty:
        return None
    if not user.has_perm("subsidies.view_operatorassessment"):
        return None
    drafts = (
        OperatorAssessment.objects.visible_to(user)
        .filter(status=AssessmentStatus.DRAFT)
        .select_related("market")
        .order_by("-period_start", "market__name", "id")
    )
    rows = [
        {
            "text": f"{a.market.name} {a.period_start:%Y-%m}～{a.period_end:%Y-%m}",
            "url": reverse("admin:subsidies_operatorassessment_change", args=[a.pk]),
            "note": _("取消资格") if a.disqualified else _("建议金额 %(a)s 元") % {"a": a.recommended_amount},
        }
        for a in drafts[:LIMIT]
    ]
    if user.has_perm("subsidies.add_operatorassessment"):
        rows.append(
            {
                "text": _("测算零工市场运营补贴"),
                "url": reverse("admin:subsidies_operatorassessment_compute"),
                "note": _("按季度重新统计各市场指标"),
            }
        )
    return Panel(title=_("零工市场运营补贴待复核"), rows=rows, empty=_("没有待复核的测算。"))
