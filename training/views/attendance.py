"""Training pages: attendance. The classroom QR screen and the attendance sheet and results of a class
(its institution's members and scoped staff), the trainee's sign-in page, a sign-in photo (the same
people, never public), and the counter's marking for the worker it serves. Mobile first; no page needs
JavaScript (the sign-in page's location script is a progressive enhancement with a typed-in fallback)."""

from __future__ import annotations

import math
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.masking import mask_name
from jobs.permissions import can_serve_counter
from jobs.qr import qr_svg
from jobs.views.counter import acting_worker, worker_label

from ..choices import EnrollmentStatus
from ..models import Attendance, AttendanceStatus, ClassSession, Enrollment, SignInAttempt, TrainingClass
from ..services import attendance as services
from ..services import results as result_services

# --- forms (shared by the pages of this module) -------------------------------------------------------------


def _status_choices():
    return [(s.code, s.name) for s in AttendanceStatus.objects.all()]


class SignInForm(forms.Form):
    t = forms.CharField(label=gettext_lazy("签到码"), max_length=32, required=False)
    lat = forms.FloatField(label=gettext_lazy("纬度"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=gettext_lazy("经度"), required=False, min_value=-180, max_value=180)
    manual = forms.BooleanField(required=False)
    photo = forms.ImageField(label=gettext_lazy("签到照片（可选）"), required=False)


class MarkForm(forms.Form):
    session = forms.IntegerField(widget=forms.HiddenInput)
    enrollment = forms.IntegerField(label=gettext_lazy("学员"))
    status = forms.ChoiceField(label=gettext_lazy("考勤状态"), choices=())
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices()


class ResultForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    exam_score = forms.DecimalField(
        label=gettext_lazy("考核成绩"),
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=100,
        required=False,
    )
    passed = forms.BooleanField(label=gettext_lazy("考核合格"), required=False)


class CertificateForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(label=gettext_lazy("证书编号"), max_length=64)
    issuer = forms.CharField(label=gettext_lazy("发证机构"), max_length=100)
    issued_on = forms.DateField(
        label=gettext_lazy("发证日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=gettext_lazy("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# --- helpers ------------------------------------------------------------------------------------------------


def _class_for_staff(request, pk: int) -> TrainingClass:
    """A class its institution's members and scoped staff may run the sheet of (404 for everyone else)."""
    training_class = (
        TrainingClass.objects.visible_to(request.user)
        .select_related("item", "institution")
        .filter(pk=pk)
        .first()
    )
    if training_class is None or not services.may_see_class(request.user, training_class):
        raise Http404
    return training_class


def _class_page_url(training_class) -> str:
    try:
        return reverse("training:institution_class", args=[training_class.pk])
    except NoReverseMatch:
        return ""


def _roster(training_class):
    return list(
        Enrollment.objects.filter(training_class=training_class)
        .exclude(status__in=(EnrollmentStatus.WAITLISTED, EnrollmentStatus.WITHDRAWN))
        .select_related("worker")
        .order_by("created_at", "id")
    )


def _label(enrollment) -> str:
    return f"{mask_name(enrollment.worker.real_name)} #{enrollment.pk}"


def _device_id(request) -> tuple[str, bool]:
    """The device id kept in the long-lived cookie, and whether it is new (to be set on the response)."""
    value = request.COOKIES.get(services.DEVICE_COOKIE, "")
    if len(value) >= 16 and len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return secrets.token_urlsafe(24), True


def _set_device(response, device_id: str, new: bool):
    if new:
        response.set_cookie(
            services.DEVICE_COOKIE,
            device_id,
            max_age=services.DEVICE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# --- the classroom screen -----------------------------------------------------------------------------------


@login_required
def session_qr(request, pk: int):
    """The code on the classroom screen: it changes every period and the page reloads itself (no
    JavaScript), with how many trainees have signed in so far."""
    session = ClassSession.objects.select_related("training_class").filter(pk=pk).first()
    if session is None:
        raise Http404
    training_class = _class_for_staff(request, session.training_class_id)
    now = timezone.now()
    code = services.qr_current(session, now)
    url = request.build_absolute_uri(reverse("training:signin", args=[session.pk])) + f"?t={code.token}"
    refresh = max(1, math.ceil((code.expires_at - now).total_seconds()))
    opens, closes = services.signin_window(session)
    return render(
        request,
        "training/attendance/session_qr.html",
        {
            "session": session,
            "training_class": training_class,
            "qr": qr_svg(url, title=_("扫码签到")),
            "token": code.token,
            "signin_url": url,
            "refresh": refresh,
            "signed_in": Attendance.objects.filter(session=session, status__counts_hours=True).count(),
            "enrolled": training_class.enrolled_count,
            "open": opens <= now <= closes,
            "opens": opens,
            "closes": closes,
            "class_url": _class_page_url(training_class),
        },
    )


# --- the trainee's sign-in ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def signin(request, pk: int):
    """Where the classroom code leads: the trainee's phone sends its position (or the trainee types it in,
    which is flagged) and the device cookie; the answer is in plain words."""
    session = (
        ClassSession.objects.select_related("training_class")
        .filter(pk=pk, training_class__enrollments__worker=request.user)
        .distinct()
        .first()
    )
    if session is None:
        raise Http404
    device_id, new_device = _device_id(request)
    form = SignInForm(request.POST or None, request.FILES or None, initial={"t": request.GET.get("t", "")})
    result, status_code = None, 200
    existing = (
        Attendance.objects.filter(session=session, enrollment__worker=request.user)
        .select_related("status")
        .first()
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.qr_sign_in(
                    session=session,
                    worker=request.user,
                    token=data["t"] or "",
                    lat=data["lat"],
                    lng=data["lng"],
                    device_id="" if new_device else device_id,
                    photo=data["photo"],
                    manual_position=bool(data["manual"]),
                    request=request,
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status_code = 400
            else:
                existing = result
                messages.success(
                    request,
                    _("签到成功：%(s)s，%(t)s。")
                    % {"s": result.status.name, "t": f"{timezone.localtime(result.signed_at):%H:%M}"},
                )
        else:
            messages.error(request, _("请检查填写的内容。"))
            status_code = 400
    training_class = session.training_class
    response = render(
        request,
        "training/attendance/signin.html",
        {
            "session": session,
            "training_class": training_class,
            "form": form,
            "token": form.data.get("t") if form.is_bound else request.GET.get("t", ""),
            "attendance": existing,
            "needs_position": training_class.mode != "online",
        },
        status=status_code,
    )
    return _set_device(response, device_id, new_device)


# --- the attendance sheet -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attendance_sheet(request, pk: int):
    """Sessions × trainees: status, method, flags, refused devices; a marking form per session."""
    training_class = _class_for_staff(request, pk)
    sessions = list(training_class.sessions.order_by("starts_at", "id"))
    roster = _roster(training_class)
    form = MarkForm(request.POST or None)
    status_code = 200
    if request.method == "POST":
        session = next((s for s in sessions if str(s.pk) == request.POST.get("session")), None)
        enrollment = next((e for e in roster if str(e.pk) == request.POST.get("enrollment")), None)
        if form.is_valid() and session is not None and enrollment is not None:
            try:
                services.teacher_mark(
                    session=session,
                    enrollment=enrollment,
                    status_code=form.cleaned_data["status"],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status_code = 403 if exc.status == 403 else 400
            else:
                messages.success(request, _("已登记考勤。"))
                return redirect("training:attendance_sheet", pk=training_class.pk)
        else:
            messages.error(request, _("请选择课次、学员和考勤状态。"))
            status_code = 400
    marks = {
        (a.session_id, a.enrollment_id): a
        for a in Attendance.objects.filter(session__training_class=training_class).select_related("status")
    }
    rows = [
        {
            "enrollment": e,
            "label": _label(e),
            "cells": [marks.get((s.pk, e.pk)) for s in sessions],
        }
        for e in roster
    ]
    attempts = [
        {
            "attempt": a,
            "label": _label(a.enrollment),
            "device_of": _label(a.device_of.enrollment) if a.device_of_id else "",
        }
        for a in SignInAttempt.objects.filter(session__training_class=training_class).select_related(
            "session", "enrollment__worker", "device_of__enrollment__worker"
        )
    ]
    return render(
        request,
        "training/attendance/sheet.html",
        {
            "training_class": training_class,
            "sessions": sessions,
            "rows": rows,
            "attempts": attempts,
            "statuses": _status_choices(),
            "form": form,
            "flagged": [m for m in marks.values() if m.flagged],
            "class_url": _class_page_url(training_class),
        },
        status=status_code,
    )


@login_required
def attendance_photo(request, pk: int):
    """A sign-in photo, for the class's institution and scoped staff only (404 for everyone else)."""
    attendance = (
        services.attendance_visible_to(request.user)
        .select_related("session__training_class")
        .filter(pk=pk)
        .first()
    )
    if attendance is None or not attendance.photo:
        raise Http404
    if not services.may_see_class(request.user, attendance.session.training_class):
        raise Http404
    try:
        handle = attendance.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# --- results and certificates -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def results(request, pk: int):
    """Per trainee: hours against the required, exam and pass, completion, and the certificate."""
    training_class = _class_for_staff(request, pk)
    rate = result_services.rate_in_force(training_class)
    action = request.POST.get("action", "")
    result_form = ResultForm(request.POST if action == "record" else None)
    cert_form = CertificateForm(request.POST if action == "certificate" else None)
    roster = _roster(training_class)
    status_code = 200
    if request.method == "POST":
        form = result_form if action == "record" else cert_form
        enrollment = next((e for e in roster if str(e.pk) == request.POST.get("enrollment")), None)
        if action not in ("record", "certificate") or enrollment is None or not form.is_valid():
            messages.error(request, _("请检查填写的内容。"))
            status_code = 400
        else:
            data = form.cleaned_data
            try:
                if action == "record":
                    result_services.result_record(
                        enrollment=enrollment,
                        actor=request.user,
                        exam_score=data["exam_score"],
                        passed=data["passed"],
                        request=request,
                    )
                    messages.success(request, _("已登记结业结果。"))
                else:
                    result_services.certificate_issue(
                        enrollment=enrollment,
                        actor=request.user,
                        number=data["number"],
                        issuer=data["issuer"],
                        issued_on=data["issued_on"],
                        expires_on=data["expires_on"],
                        request=request,
                    )
                    messages.success(request, _("已登记证书，并已写入学员的求职登记（已核验）。"))
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status_code = 403 if exc.status == 403 else 400
            else:
                return redirect("training:results", pk=training_class.pk)
    rows = []
    for e in (
        Enrollment.objects.filter(pk__in=[e.pk for e in roster])
        .select_related("worker", "result", "certificate")
        .order_by("created_at", "id")
    ):
        rows.append(
            {
                "enrollment": e,
                "label": _label(e),
                "result": getattr(e, "result", None),
                "certificate": getattr(e, "certificate", None),
            }
        )
    return render(
        request,
        "training/attendance/results.html",
        {
            "training_class": training_class,
            "rate": rate,
            "rows": rows,
            "class_url": _class_page_url(training_class),
            "cert_form": cert_form,
        },
        status=status_code,
    )


# --- the counter --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def counter_attendance(request):
    """Counter staff mark attendance for the worker they serve, in a session of one of their classes."""
    if not can_serve_counter(request.user):
        raise Http404
    worker, assisted = acting_worker(request)
    if not assisted:
        messages.info(request, _("请先在服务台选择正在服务的劳动者。"))
        return redirect("jobs:counter")
    sessions = list(
        ClassSession.objects.filter(
            training_class__enrollments__worker=worker,
            training_class__enrollments__status=EnrollmentStatus.ENROLLED,
        )
        .select_related("training_class")
        .order_by("starts_at")
        .distinct()
    )
    marks = {
        a.session_id: a
        for a in Attendance.objects.filter(enrollment__worker=worker, session__in=sessions).select_related(
            "status"
        )
    }
    status_code = 200
    if request.method == "POST":
        session = next((s for s in sessions if str(s.pk) == request.POST.get("session")), None)
        code = request.POST.get("status", "")
        if session is None or code not in dict(_status_choices()):
            messages.error(request, _("请选择课次和考勤状态。"))
            status_code = 400
        else:
            try:
                services.counter_mark(
                    session=session,
                    worker=worker,
                    status_code=code,
                    actor=request.user,
                    note=request.POST.get("note", "")[:200],
                    request=request,
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status_code = 400
            else:
                messages.success(request, _("已代为登记考勤。"))
                return redirect("training:counter_attendance")
    return render(
        request,
        "training/attendance/counter.html",
        {
            "worker_label": worker_label(worker),
            "rows": [{"session": s, "mark": marks.get(s.pk)} for s in sessions],
            "statuses": _status_choices(),
        },
        status=status_code,
    )


urlpatterns = [
    path("institution/sessions/<int:pk>/qr/", session_qr, name="session_qr"),
    path("signin/<int:pk>/", signin, name="signin"),
    path("institution/classes/<int:pk>/attendance/", attendance_sheet, name="attendance_sheet"),
    path("institution/classes/<int:pk>/results/", results, name="results"),
    path("institution/attendance/<int:pk>/photo/", attendance_photo, name="attendance_photo"),
    path("counter/attendance/", counter_attendance, name="counter_attendance"),
]
