from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel

from .models import Inspection


@register_panel
def overdue_rectifications(user):
    if not user.has_perm("markets.view_inspection"):
        return None
    rows = [
        {
            "text": f"{i.market.name}（{i.market.scope_unit.name}）",
            "url": reverse("admin:markets_inspection_change", args=[i.pk]),
            "note": _("整改期限 %(d)s，已逾期") % {"d": i.rectify_deadline},
        }
        for i in Inspection.objects.visible_to(user).overdue().select_related("market__scope_unit")[:50]
    ]
    return Panel(
        title=_("逾期未整改的市场"), rows=rows, empty=_("没有逾期整改。"), level="warning" if rows else "info"
    )


@register_panel
def high_risk_awaiting_action(user):
    if not user.has_perm("markets.view_inspection"):
        return None
    rows = [
        {
            "text": f"{i.market.name}（{i.market.scope_unit.name}）",
            "url": reverse("admin:markets_inspection_change", args=[i.pk]),
            "note": _("%(d)s 检查为高风险，请处置：限期整改、暂停或取缔") % {"d": i.inspected_on},
        }
        for i in Inspection.objects.visible_to(user)
        .awaiting_action()
        .select_related("market__scope_unit")[:50]
    ]
    return Panel(
        title=_("高风险待处置"),
        rows=rows,
        empty=_("没有待处置的高风险检查。"),
        level="warning" if rows else "info",
    )
