"""Staff dashboard panels for rights protection: overdue cases and cases due soon, nearest deadline first,
from the same queue as the admin's deadline filter (scoped: county staff see their county, city staff all)."""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel
from core.scope import scope_of

from . import selectors
from .choices import DeadlineState

LIMIT = 30


def _staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not scope_of(user).is_empty
        and user.has_perm("disputes.view_case")
    )


def _queue_url(state: str) -> str:
    try:
        return f"{reverse('admin:disputes_case_changelist')}?deadline={state}"
    except NoReverseMatch:
        return ""


def _rows(user, state: str) -> list[dict]:
    rows = []
    for case in selectors.case_queue(user=user, deadline=state)[:LIMIT]:
        try:
            url = reverse("admin:disputes_case_change", args=[case.pk])
        except NoReverseMatch:
            url = ""
        rows.append(
            {
                "text": f"{case.number} {case.respondent_label}（{case.scope_unit.name}）",
                "url": url,
                "note": _("%(status)s，期限 %(due)s")
                % {
                    "status": case.get_status_display(),
                    # a deadline is 24:00 of its day, the first instant of the next: show the day itself
                    "due": f"{timezone.localtime(case.next_due_at) - dt.timedelta(microseconds=1):%Y-%m-%d}",
                },
            }
        )
    return rows


@register_panel
def cases_overdue(user):
    if not _staff(user):
        return None
    rows = _rows(user, DeadlineState.OVERDUE)
    return Panel(
        title=_("已超期的投诉案件"),
        rows=rows,
        empty=_("没有超期的投诉案件。"),
        level="warning" if rows else "info",
    )


@register_panel
def cases_due_soon(user):
    if not _staff(user):
        return None
    rows = _rows(user, DeadlineState.DUE_SOON)
    if rows:
        rows.append(
            {"text": _("查看全部即将到期的案件"), "url": _queue_url(DeadlineState.DUE_SOON), "note": ""}
        )
    return Panel(title=_("即将到期的投诉案件"), rows=rows, empty=_("没有即将到期的投诉案件。"))
