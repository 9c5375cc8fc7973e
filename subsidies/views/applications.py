"""Application pages (ADR 0030), mobile first, no JavaScript: apply from "what can I get" (the calculator's
answer pre-filled), the worker's applications with their status in plain words, evidence upload, submit
again after a return; the same pages serve counter staff acting for a worker (``acting_worker``). The public
notice (公示) lists the applications in notice with masked names and IDs; anyone may object."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from jobs.views.counter import acting_context, acting_worker

from ..choices import ApplicationStatus
from ..forms import ApplyForm, EvidenceForm, ObjectionForm, ResubmitForm
from ..models import Application, ProgramType
from ..services import applications as services
from ..services import notice as notice_services
from ..services.eligibility import assess

S = ApplicationStatus
# what each status means for the person, in plain words
PLAIN = {
    S.DRAFT: gettext_lazy("还没有提交。"),
    S.SUBMITTED: gettext_lazy("已提交，等待县（市、区）人社局受理审核。"),
    S.COUNTY_REVIEW: gettext_lazy("县（市、区）人社局正在审核。"),
    S.CITY_REVIEW: gettext_lazy("县级审核已通过，市人社局正在复核。"),
    S.PUBLIC_NOTICE: gettext_lazy("市级复核已通过，正在公示；公示期满无异议即批准。"),
    S.APPROVED: gettext_lazy("已批准，等待发放到您的银行账户。"),
    S.DISBURSED: gettext_lazy("已发放。"),
    S.RETURNED: gettext_lazy("被退回，请按退回原因补充材料后重新提交。"),
    S.REJECTED: gettext_lazy("审核未通过。"),
}


def _form_errors(form, exc: DomainError) -> None:
    placed = False
    for field, errors in (exc.fields or {}).items():
        for error in errors if isinstance(errors, list | tuple) else [errors]:
            if field in form.fields:
                form.add_error(field, str(error))
                placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _worker(request):
    worker, _assisted = acting_worker(request)
    return worker


def _program(code: str) -> ProgramType:
    return get_object_or_404(ProgramType, code=code, offered_to_workers=True)


@login_required
def apply(request, code: str, period: str):
    """Apply for one program and period: the calculator's answer and reasons, the amount pre-filled."""
    worker = _worker(request)
    program = _program(code)
    try:
        day = dt.date.fromisoformat(period)
    except ValueError:
        raise Http404 from None
    answer = assess(worker, program, day)
    existing = services.open_application(worker, program, answer.period_start)
    if existing is not None:
        return redirect("subsidies:application", existing.pk)
    form = ApplyForm(request.POST or None, initial={"amount": answer.amount})
    if request.method == "POST" and form.is_valid():
        try:
            app = services.application_submit(
                actor=request.user,
                person=worker,
                program=program,
                day=day,
                amount=form.cleaned_data.get("amount"),
                statement=form.cleaned_data.get("statement") or "",
                request=request,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("申请已提交，编号 %(number)s。") % {"number": app.number})
            return redirect("subsidies:application", app.pk)
    context = {"program": program, "answer": answer, "form": form, **acting_context(request)}
    return render(request, "subsidies/apply.html", context, status=400 if form.errors else 200)


@login_required
def applications(request):
    worker = _worker(request)
    rows = (
        Application.objects.visible_to(request.user)
        .filter(person=worker)
        .select_related("program_type")
        .order_by("-created_at", "-id")
    )
    for row in rows:
        row.plain = PLAIN[row.status]
    return render(request, "subsidies/applications.html", {"rows": rows, **acting_context(request)})


def _mine(request, pk) -> Application:
    worker = _worker(request)
    app = (
        Application.objects.visible_to(request.user)
        .filter(pk=pk, person=worker)
        .select_related("program_type", "scope_unit")
        .first()
    )
    if app is None:
        raise Http404
    return app


@login_required
def application(request, pk: int, evidence_form=None, resubmit_form=None, status=200):
    app = _mine(request, pk)
    context = {
        "app": app,
        "plain": PLAIN[app.status],
        "events": app.events.order_by("at", "id"),
        "evidence": app.evidence.order_by("id"),
        "can_upload": app.status in (S.DRAFT, S.SUBMITTED, S.COUNTY_REVIEW, S.RETURNED),
        "evidence_form": evidence_form or EvidenceForm(),
        "resubmit_form": resubmit_form or ResubmitForm(),
        **acting_context(request),
    }
    return render(request, "subsidies/application.html", context, status=status)


@login_required
@require_POST
def evidence_add(request, pk: int):
    app = _mine(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user,
                application=app,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data.get("description") or "",
                request=request,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("subsidies:application", app.pk)
    return application(request, pk, evidence_form=form, status=400)


@login_required
@require_POST
def resubmit(request, pk: int):
    app = _mine(request, pk)
    form = ResubmitForm(request.POST)
    if form.is_valid():
        try:
            services.application_resubmit(
                actor=request.user,
                application=app,
                statement=form.cleaned_data.get("statement") or "",
                request=request,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已重新提交。"))
            return redirect("subsidies:application", app.pk)
    return application(request, pk, resubmit_form=form, status=400)


# --- the public notice --------------------------------------------------------------------------------------


def notice(request):
    rows = [notice_services.notice_row(a) for a in notice_services.in_notice()]
    return render(request, "subsidies/notice.html", {"rows": rows, "today": timezone.localdate()})


def objection(request, pk: int):
    app = notice_services.in_notice().filter(pk=pk).first()
    if app is None:
        raise Http404
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice_services.objection_submit(
                actor=request.user, application=app, text=form.cleaned_data["text"], request=request
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("异议已收到，工作人员会核实处理。"))
            return redirect("subsidies:notice")
    context = {"row": notice_services.notice_row(app), "form": form}
    return render(request, "subsidies/objection.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("apply/<slug:code>/<str:period>/", apply, name="apply"),
    path("applications/", applications, name="applications"),
    path("applications/<int:pk>/", application, name="application"),
    path("applications/<int:pk>/evidence/", evidence_add, name="application_evidence"),
    path("applications/<int:pk>/resubmit/", resubmit, name="application_resubmit"),
    path("notice/", notice, name="notice"),
    path("notice/<int:pk>/object/", objection, name="objection"),
]
