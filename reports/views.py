"""Reports pages: the indicator catalogue as a documentation page (public, no JavaScript), and the staff
dashboards (issue 18) — the city's (city staff, auditors) and one county's or zone's (its staff, or the
city's) — with server-drawn SVG charts and the same figures as tables, read from the fact table only and
scoped as the API is (another county's dashboard is 404). City staff start a recompute of the month shown;
its page refreshes itself (a <meta> refresh, no JavaScript) while the run is queued or running."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from core.months import previous_month
from core.scope import scope_of

from . import charts, runs, selectors
from .choices import PeriodKind
from .models import ReportRun
from .orgunits import CITY, OrgUnit, resolve
from .periods import Period, parse_period
from .permissions import may_read_facts
from .selectors import indicator_list, month_codes

REFRESH_SECONDS = 5
PERIOD_CHOICES = 24


def indicators(request):
    return render(request, "reports/indicators.html", {"indicators": indicator_list()})


def default_period(today: dt.date | None = None) -> Period:
    """Last month (Asia/Shanghai): the first month whose figures are complete."""
    return parse_period(f"{previous_month(today or timezone.localdate()):%Y%m}")


def _period(request) -> Period:
    raw = request.GET.get("period")
    if not raw:
        return default_period()
    try:
        period = parse_period(raw)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return default_period()
    if period.kind != PeriodKind.MONTH:
        messages.error(request, _("请选择一个月份（如 202611）。"))
        return default_period()
    return period


def _org(request, code: str) -> OrgUnit:
    if not may_read_facts(request.user):
        raise PermissionDenied(_("您没有查看统计数据的权限。"))
    try:
        return resolve(code, principal=request.user)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _choices(period: Period) -> list[tuple[str, str]]:
    newest = default_period()
    end = newest if newest.start >= period.start else period
    codes = month_codes(end, PERIOD_CHOICES)[::-1]
    if period.code not in codes:
        codes.append(period.code)
    return [(c, f"{c[:4]}-{c[4:]}") for c in codes]


def _render_dashboard(request, org: OrgUnit):
    period = _period(request)
    items = [charts.trend(user=request.user, org=org, period=period)]
    if org.unit_id is None:
        items.append(charts.comparison(user=request.user, period=period))
    items.append(charts.ratio_by_occupation(user=request.user, org=org, period=period))
    context = {
        "org": org,
        "period": period,
        "period_choices": _choices(period),
        "charts": items,
        "units": _unit_links(request.user) if org.unit_id is None else [],
        "may_start": org.unit_id is None and runs.may_start_runs(request.user),
        "sees_runs": org.unit_id is None and request.user.has_perm("reports.view_reportrun"),
    }
    if context["sees_runs"]:
        context["run"] = ReportRun.objects.filter(period=period.code).select_related("started_by").first()
        context["refresh"] = REFRESH_SECONDS if context["run"] and context["run"].is_live else None
    return render(request, "reports/dashboard.html", context)


def _unit_links(user) -> list:
    from .orgunits import units

    scope = scope_of(user)
    return [u for u in units() if scope.covers(u.pk)]


@login_required
def dashboard(request):
    """The city's dashboard; county staff (whose scope is not the city) go to their own unit's."""
    scope = scope_of(request.user)
    if may_read_facts(request.user) and not scope.all and len(scope.unit_ids) == 1:
        from core.models import ScopeUnit

        unit = ScopeUnit.objects.filter(pk=next(iter(scope.unit_ids))).first()
        if unit is not None:
            target = reverse("reports:unit_dashboard", args=[unit.code])
            query = request.GET.urlencode()
            return redirect(f"{target}?{query}" if query else target)
    return _render_dashboard(request, _org(request, CITY))


@login_required
def unit_dashboard(request, code: str):
    if code == CITY:
        return redirect("reports:dashboard")
    return _render_dashboard(request, _org(request, code))


@login_required
@require_POST
def run_start(request):
    if not runs.may_start_runs(request.user):
        raise PermissionDenied(_("只有市级工作人员可以重新计算统计数据。"))
    period = request.POST.get("period", "")
    try:
        run = runs.run_start(period=period, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        back = reverse("reports:dashboard")
        return redirect(f"{back}?{urlencode({'period': period})}" if period else back)
    messages.success(request, _("已开始重新计算统计期 %(p)s。") % {"p": run.period})
    return redirect("reports:run", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    if not request.user.has_perm("reports.view_reportrun"):
        raise PermissionDenied(_("您没有查看重新计算记录的权限。"))
    run = ReportRun.objects.select_related("started_by").filter(pk=pk).first()
    if run is None:
        raise Http404
    context = {
        "run": run,
        "refresh": REFRESH_SECONDS if run.is_live else None,
        "back": f"{reverse('reports:dashboard')}?{urlencode({'period': run.period})}",
    }
    return render(request, "reports/run.html", context)


def release(request):
    """The public monthly release: the headline figures per county and for the city of a month the city has
    accepted (locked); open months are never published. ``?period=YYYYMM`` picks one of the released months."""
    months = selectors.released_months()
    period = request.GET.get("period", "")
    if period not in months:
        period = months[0] if months else ""
    indicators, rows = selectors.release_table(period) if period else ([], [])
    return render(
        request,
        "reports/release.html",
        {"months": months, "period": period, "indicators": indicators, "rows": rows},
    )
