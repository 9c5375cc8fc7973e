"""A worker's earnings with a printable earnings statement (收入证明), used later for subsidies."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Division

from .. import selectors
from ..forms import earnings_period


@login_required
def earnings(request):
    """The worker's settled work orders and their totals per month (their own, whatever their roles)."""
    start, end = earnings_period(request.GET)
    orders, months, total, count = selectors.earnings(request.user, start=start, end=end)
    orders = orders.select_related("posting", "posting__occupation", "posting__employer").order_by(
        "-work_date", "-id"
    )[:200]
    return render(
        request,
        "work/earnings.html",
        {"orders": orders, "months": months, "total": total, "count": count},
    )


def bureau_name() -> str:
    city = (
        Division.objects.filter(code=settings.LINGONG_CITY_CODE).values_list("name", flat=True).first() or ""
    )
    return _("%(city)s人力资源和社会保障局") % {"city": city}


@login_required
def earnings_statement(request):
    """The printable earnings statement (收入证明 / 灵活就业证明) for the chosen months."""
    start, end = earnings_period(request.GET)
    _orders, months, total, count = selectors.earnings(request.user, start=start, end=end)
    context = {
        "person": request.user,
        "id_masked": request.user.masked_id_number,
        "months": months,
        "first": months[-1]["month"] if months else None,
        "last": months[0]["month"] if months else None,
        "total": total,
        "count": count,
        "days": sum(row["days"] for row in months),
        "today": timezone.localdate(),
        "bureau": bureau_name(),
        "site_name": settings.LINGONG_SITE_NAME,
    }
    return render(request, "work/earnings_statement.html", context)
