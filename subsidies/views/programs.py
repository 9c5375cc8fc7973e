"""Subsidies pages: the public list of programs with the standards in force, and "what can I get" (我能享受
什么补贴) — the calculator's answer for the signed-in worker (or the worker a counter serves), per program
and period, with its reasons in plain words. Mobile first, no JavaScript."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.views.counter import acting_context, acting_worker

from ..choices import OfferStatus
from ..models import Offer, ProgramType
from ..services.applications import open_application
from ..services.eligibility import parameter_for, what_can_i_get

# the figures a person reads (the decision stores them all), in the order they are computed
FIGURE_LABELS = {
    "retirement_age": _("法定退休年龄"),
    "retirement_month": _("退休时间"),
    "work_days": _("本平台当月结算用工天数"),
    "work_earnings": _("本平台当月结算收入（元）"),
    "pension_paid": _("养老保险实缴（元）"),
    "medical_paid": _("医疗保险实缴（元）"),
    "paid": _("实缴合计（元）"),
    "due_on_lowest_base": _("按最低缴费基数应缴（元）"),
    "basis": _("计算基数（元）"),
    "ratio": _("补贴比例"),
    "monthly_cap": _("每月上限（元）"),
    "months_used": _("已享受月数"),
    "month_limit": _("最长月数"),
    "eligible_premium": _("符合条件的保费（元）"),
    "share": _("保费补贴比例"),
    "granted_this_year": _("今年已享受（元）"),
    "yearly_cap": _("每年上限（元）"),
    "yearly_remaining": _("今年还可享受（元）"),
}


def _figure_rows(figures: dict) -> list[tuple[str, object]]:
    return [
        (label, figures[name]) for name, label in FIGURE_LABELS.items() if figures.get(name) not in (None, "")
    ]


def programs(request):
    """Every program with its parameter row in force today (city-wide, or the visitor's county's)."""
    today = timezone.localdate()
    unit = getattr(request.user, "scope_unit_id", None) if request.user.is_authenticated else None
    rows = [(p, parameter_for(p, today, unit)) for p in ProgramType.objects.order_by("sort", "code")]
    return render(request, "subsidies/programs.html", {"rows": rows})


@login_required
def mine(request):
    """The calculator's answers for the worker: each program offered to workers, each of its periods."""
    worker, _assisted = acting_worker(request)
    results = []
    for program, answers in what_can_i_get(worker):
        for answer in answers:
            answer.figure_rows = _figure_rows(answer.decision.figures)
            answer.application = open_application(worker, program, answer.period_start)
        results.append(
            {
                "program": program,
                "answers": answers,
                "total": sum((a.amount for a in answers if a.eligible is True and a.amount), start=0),
            }
        )
    offers = (
        Offer.objects.filter(person=worker, status=OfferStatus.OFFERED)
        .select_related("program_type")
        .order_by("-period_start", "-id")
    )
    return render(
        request, "subsidies/mine.html", {"results": results, "offers": offers, **acting_context(request)}
    )


urlpatterns = [
    path("", programs, name="programs"),
    path("mine/", mine, name="mine"),
]
