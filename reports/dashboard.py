"""Staff dashboard panel (the admin index, where staff land after signing in): links to the statistics
dashboards the person may read — the city's for city staff and auditors, their own units' for county staff —
and, for those who may, the latest recompute started from the dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel
from core.scope import scope_of

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
