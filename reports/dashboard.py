"""Staff dashboard panel (the admin index, where staff land after signing in): links to the statistics
dashboards the person may read — the city's for city staff and auditors, their own units' for county staff —
and, for those who may, the latest recompute started from the dashboard; and the month's board (报送与审核)
with what waits for the user."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel
from core.scope import scope_of

from . import approvals
from .models import ReportRun
from .orgunits import units
from .permissions import may_read_facts


@register_panel
def report_dashboards(user):
    if not getattr(user, "is_authenticated", False) or not may_read_facts(user):
        return None
    scope = scope_of(user)
    if scope.is_empty:
        return None
    rows = []
    if scope.all:
        rows.append(
            {
                "text": _("全市统计看板"),
                "url": reverse("reports:dashboard"),
                "note": _("主要指标走势、各县对比、分工种求人倍率"),
            }
        )
    else:
        for unit in units():
            if scope.covers(unit.pk):
                rows.append(
                    {
                        "text": _("%(u)s统计看板") % {"u": unit.name},
                        "url": reverse("reports:unit_dashboard", args=[unit.code]),
                        "note": _("主要指标走势、分工种求人倍率"),
                    }
                )
    if user.has_perm("reports.view_reportrun"):
        run = ReportRun.objects.first()
        if run is not None:
            rows.append(
                {
                    "text": _("最近一次重新计算：%(p)s") % {"p": run.period},
                    "url": reverse("reports:run", args=[run.pk]),
                    "note": run.get_status_display(),
                }
            )
    return Panel(title=_("统计看板"), rows=rows, empty=_("没有可查看的统计看板。"))


@register_panel
def monthly_reports(user):
    if not getattr(user, "is_authenticated", False) or scope_of(user).is_empty:
        return None
    if not user.has_perm("reports.view_periodapproval"):
        return None
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y%m")
    url = reverse("admin:reports_periodapproval_month")
    rows = []
    for entry in approvals.month_board(last_month, user=user):
        if entry["unit"] is not None and (
            (entry["status"] == "open" and user.has_perm(approvals.SUBMIT) and not scope_of(user).all)
            or (entry["status"] == "submitted" and user.has_perm(approvals.ACCEPT))
        ):
            rows.append(
                {
                    "text": f"{last_month} {entry['name']}",
                    "url": f"{url}?period={last_month}",
                    "note": entry["status_label"],
                }
            )
    rows.append({"text": _("月度统计报送与审核"), "url": url, "note": _("按月报送、审核、锁定统计数据")})
    return Panel(title=_("统计月报"), rows=rows)
