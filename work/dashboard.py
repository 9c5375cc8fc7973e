"""Staff dashboard panels for work and pay: open wage-arrears alerts, tomorrow's unconfirmed work orders and
this week's no-shows — each scoped with ``visible_to`` (county staff see their county, city staff all)."""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel
from core.scope import scope_of

from .choices import WorkOrderStatus
from .models import ArrearsAlert, WorkOrder

LIMIT = 50


def _admin_url(name: str, pk: int) -> str:
    try:
        return reverse(f"admin:{name}", args=[pk])
    except NoReverseMatch:
        return ""


def _staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and not scope_of(user).is_empty)


@register_panel
def arrears_alerts_open(user):
    if not _staff(user) or not user.has_perm("work.view_arrearsalert"):
        return None
    qs = (
        ArrearsAlert.objects.visible_to(user)
        .filter(resolved_at__isnull=True)
        .select_related("work_order__posting__employer", "work_order__posting__scope_unit")
        .order_by("raised_at")[:LIMIT]
    )
    rows = [
        {
            "text": f"{a.work_order.posting.employer.display_name}（{a.work_order.posting.scope_unit.name}）",
            "url": _admin_url("work_arrearsalert_change", a.pk),
            "note": _("欠付 %(a)s 元，%(d)s 起")
            % {"a": a.amount, "d": f"{timezone.localtime(a.raised_at):%m-%d}"},
        }
        for a in qs
    ]
    return Panel(
        title=_("未解除的欠薪预警"),
        rows=rows,
        empty=_("没有未解除的欠薪预警。"),
        level="warning" if rows else "info",
    )


@register_panel
def work_orders_unconfirmed_tomorrow(user):
    if not _staff(user) or not user.has_perm("work.view_workorder"):
        return None
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    qs = (
        WorkOrder.objects.visible_to(user)
        .filter(status=WorkOrderStatus.SCHEDULED, work_date=tomorrow)
        .select_related("posting", "posting__scope_unit")
        .order_by("starts_at", "id")[:LIMIT]
    )
    rows = [
        {
            "text": f"{o.posting.title}（{o.posting.scope_unit.name}）",
            "url": _admin_url("work_workorder_change", o.pk),
            "note": _("%(t)s 开工，劳动者未确认") % {"t": f"{timezone.localtime(o.starts_at):%H:%M}"},
        }
        for o in qs
    ]
    return Panel(title=_("明日未确认的用工单"), rows=rows, empty=_("明日用工单均已确认。"))


@register_panel
def no_shows_this_week(user):
    if not _staff(user) or not user.has_perm("work.view_workorder"):
        return None
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    qs = (
        WorkOrder.objects.visible_to(user)
        .filter(status=WorkOrderStatus.NO_SHOW, work_date__gte=monday, work_date__lte=today)
        .select_related("posting", "posting__scope_unit")
        .order_by("-work_date", "-id")[:LIMIT]
    )
    rows = [
        {
            "text": f"{o.posting.title}（{o.posting.scope_unit.name}）",
            "url": _admin_url("work_workorder_change", o.pk),
            "note": f"{o.work_date:%m-%d}",
        }
        for o in qs
    ]
    return Panel(
        title=_("本周未到岗"), rows=rows, empty=_("本周没有未到岗记录。"), level="warning" if rows else "info"
    )
