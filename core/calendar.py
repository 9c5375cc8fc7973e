"""The working-day calendar: Monday–Friday, except the dates in ``CalendarDay`` (public holidays and the
make-up working days 调休 of each year's State Council notice). Limits counted in working days (answering a
policy question, labour inspection) use ``add_working_days``; a due date ends at 24:00 Asia/Shanghai
(``end_of_day``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
SOURCE = "chinese-calendar（国务院办公厅部分节假日安排通知）"


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from .models import CalendarDay

    return dict(
        CalendarDay.objects.filter(date__range=(min(start, end), max(start, end))).values_list(
            "date", "is_working_day"
        )
    )


def is_working_day(day: dt.date) -> bool:
    return _exceptions(day, day).get(day, day.weekday() < 5)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``day`` (before it for negative ``n``); ``day`` itself is not
    counted, so a question asked on a Friday with n=1 is due the next working day."""
    if n == 0:
        return day
    step = 1 if n > 0 else -1
    # a window wide enough for the longest holiday run (Spring Festival: 9 days) between working days
    span = abs(n) * 2 + 30
    exceptions = _exceptions(day, day + dt.timedelta(days=step * span))
    remaining, current = abs(n), day
    while remaining:
        current += dt.timedelta(days=step)
        if abs((current - day).days) > span:  # pragma: no cover - a calendar with no working days
            exceptions.update(_exceptions(current, current + dt.timedelta(days=step * span)))
            span *= 2
        if exceptions.get(current, current.weekday() < 5):
            remaining -= 1
    return current


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of ``day`` in Asia/Shanghai (the first instant after it), as an aware datetime."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)


def covered_until() -> dt.date | None:
    """The last date the calendar holds a holiday or make-up day for: past it, only weekends are known, so the
    next year's State Council notice must be entered before then (the staff dashboard warns)."""
    from django.db.models import Max

    from .models import CalendarDay

    return CalendarDay.objects.aggregate(last=Max("date"))["last"]


def calendar_panel(user):
    """Staff dashboard panel: warn city staff (who maintain the calendar) when it ends within 90 days."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .dashboard import Panel

    if not user.has_perm("core.change_calendarday"):
        return None
    last, today = covered_until(), timezone.localdate()
    if last is not None and last >= today + dt.timedelta(days=90):
        return None
    note = (
        _("工作日历只录入到 %(d)s，请按国务院办公厅节假日安排通知录入下一年的放假和调休日期。") % {"d": last}
        if last
        else _("工作日历为空，按工作日计算的期限只能排除周末。")
    )
    return Panel(
        title=_("工作日历即将到期"),
        rows=[
            {
                "text": _("录入节假日和调休日期"),
                "url": reverse("admin:core_calendarday_changelist"),
                "note": note,
            }
        ],
        level="warning",
    )


def seed_from_chinese_calendar(model) -> int:
    """Write every date ``chinese-calendar`` knows that differs from Monday–Friday; existing rows (staff may
    have corrected them) are left alone. ``model`` is ``CalendarDay`` or its historical version."""
    import chinese_calendar

    names = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    have = set(model.objects.values_list("date", flat=True))
    rows = []
    for day, name in chinese_calendar.holidays.items():
        if day not in have:
            rows.append(model(date=day, is_working_day=False, name=names.get(name, name), source=SOURCE))
    for day, name in chinese_calendar.workdays.items():
        if day not in have:
            label = names.get(name, name)
            rows.append(model(date=day, is_working_day=True, name=f"{label}调休上班", source=SOURCE))
    model.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
