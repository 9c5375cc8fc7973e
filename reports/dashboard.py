"""Staff dashboard panel for the monthly reports: the month's board (报送与审核), with what waits for the user —
for a county, last month not yet submitted; for the city, units' submissions waiting for acceptance."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel
from core.scope import scope_of

from . import approvals


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
