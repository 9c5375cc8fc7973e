"""The employer's pages: employer registration (用工登记), the dashboard of postings with their applicants
(match reasons, accept, reject), and the posting form (draft, wage warnings, submit for review)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import apply_domain_error
from core.geo import haversine_km
from core.masking import mask_name, mask_phone

from .. import selectors, services
from ..choices import ApplicationSource, ApplicationStatus, PostingStatus, Settlement, WageUnit
from ..forms import EmployerRegisterForm, PostingForm
from ..matching import recommend_workers
from ..models import EmployerProfile, WorkerProfile, WorkerSkill
from ..permissions import sees_person
from .common import wage_text


@login_required
@require_http_methods(["GET", "POST"])
def employer_register(request):
    """用工登记: staff approve it before the first posting goes live."""
    if EmployerProfile.objects.filter(user=request.user).exists():
        return redirect("jobs:employer_dashboard")
    form = EmployerRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.employer_register(
                user=request.user,
                actor=request.user,
                kind=data["kind"],
                display_name=data["display_name"],
                scope_unit=data["scope_unit"],
                organization=data.get("organization"),
                request=request,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("用工登记已提交。工作人员审核通过后，您发布的岗位即可上线。"))
            return redirect("jobs:employer_dashboard")
    return render(request, "jobs/employer_register.html", {"form": form}, status=400 if form.errors else 200)


def _applicant_reasons(application, profile) -> list[str]:
    """Why an applicant fits (or does not) the posting: their skill, certificate, distance and wage."""
    posting = application.posting
    reasons: list[str] = []
    if profile is None:
        return [_("未填写求职登记")]
    skill = next((s for s in profile.skills.all() if s.occupation_id == posting.occupation_id), None)
    related = skill or next(
        (s for s in profile.skills.all() if s.occupation.parent_id == posting.occupation.parent_id), None
    )
    if skill is not None:
        reasons.append(
            _("%(occ)s（%(level)s，%(years)s年）")
            % {"occ": skill.occupation.name, "level": skill.get_level_display(), "years": skill.years}
        )
    elif related is not None:
        reasons.append(_("相近工种：%(occ)s") % {"occ": related.occupation.name})
    else:
        reasons.append(_("未登记该工种技能"))
    if posting.occupation.licensed:
        cert = next(
            (
                c
                for c in profile.certificates.all()
                if c.occupation_id == posting.occupation_id and c.valid_on(posting.work_start_date)
            ),
            None,
        )
        reasons.append(_("持%(name)s") % {"name": cert.name} if cert else _("⚠ 无有效操作证书，不能录用"))
    if posting.occupation.closed_to_minors and application.worker.is_minor:
        reasons.append(_("⚠ 未满18周岁，不能从事该工种"))
    if profile.home_lat is not None and profile.home_lng is not None:
        km = haversine_km(profile.home_lat, profile.home_lng, posting.lat, posting.lng)
        reasons.append(_("距离%(km)s公里") % {"km": f"{km:.1f}"})
    if profile.expected_daily is not None and profile.expected_unit in (WageUnit.DAY, WageUnit.HOUR):
        sign = "≥" if posting.daily_wage >= profile.expected_daily else "<"
        reasons.append(
            _("日薪¥%(offer)s %(sign)s 期望¥%(exp)s")
            % {"offer": posting.daily_wage, "sign": sign, "exp": profile.expected_daily}
        )
    if application.source != ApplicationSource.SELF:
        reasons.append(application.get_source_display())
    return reasons


@login_required
def employer_dashboard(request):
    """My postings with their status, and their applicants with match reasons and accept/reject."""
    employer = selectors.employer_profile_of(request.user)
    if employer is None:
        return redirect("jobs:employer_register")
    postings = list(
        selectors.posting_list(user=request.user)
        .filter(employer=employer)
        .order_by("-created_at", "-id")[:50]
    )
    ids = [p.pk for p in postings]
    applications = list(
        selectors.application_list(user=request.user)
        .filter(posting_id__in=ids, posting__employer__user=request.user)
        .order_by("status", "-created_at")
    )
    profiles = {
        p.user_id: p
        for p in WorkerProfile.objects.filter(
            user_id__in={a.worker_id for a in applications}
        ).prefetch_related(
            Prefetch("skills", queryset=WorkerSkill.objects.select_related("occupation")), "certificates"
        )
    }
    by_posting: dict[int, list] = {}
    for app in applications:
        visible = sees_person(
            request.user,
            person_id=app.worker_id,
            counterpart_id=app.posting.employer.user_id,
            hired_until=app.posting.work_end_date if app.status == ApplicationStatus.ACCEPTED else None,
            unit_id=app.posting.scope_unit_id,
        )
        app.worker_name = app.worker.real_name if visible else mask_name(app.worker.real_name)
        app.worker_phone = (app.worker.phone if visible else mask_phone(app.worker.phone)) or ""
        app.reasons = _applicant_reasons(app, profiles.get(app.worker_id))
        by_posting.setdefault(app.posting_id, []).append(app)
    for p in postings:
        p.applicants = by_posting.get(p.pk, [])
        p.wage_display = wage_text(p)
        p.can_edit = p.status == PostingStatus.DRAFT
        p.can_close = p.status in (PostingStatus.PUBLISHED, PostingStatus.FILLED)
    return render(request, "jobs/employer_dashboard.html", {"employer": employer, "postings": postings})


def _employer_or_redirect(request):
    employer = selectors.employer_profile_of(request.user)
    if employer is None:
        messages.info(request, _("发布岗位前请先完成用工登记。"))
    return employer


@login_required
@require_http_methods(["GET", "POST"])
def posting_new(request):
    employer = _employer_or_redirect(request)
    if employer is None:
        return redirect("jobs:employer_register")
    initial = {
        "scope_unit": employer.scope_unit_id,
        "contact_name": request.user.real_name,
        "contact_phone": request.user.phone,
        "wage_unit": WageUnit.DAY,
        "settlement": Settlement.DAILY,
    }
    form = PostingForm(request.POST or None, initial=initial)
    return _posting_form(request, form, employer=employer, posting=None)


@login_required
@require_http_methods(["GET", "POST"])
def posting_edit(request, pk: int):
    employer = _employer_or_redirect(request)
    if employer is None:
        return redirect("jobs:employer_register")
    posting = selectors.posting_get_for_employer(user=request.user, pk=pk)
    if posting is None:
        raise Http404
    if posting.status != PostingStatus.DRAFT:
        messages.error(request, _("只能修改草稿；已提交的岗位请关闭后重新发布。"))
        return redirect("jobs:employer_dashboard")
    form_instance = selectors.posting_get_for_employer(user=request.user, pk=pk)
    form = PostingForm(request.POST or None, instance=form_instance)
    return _posting_form(request, form, employer=employer, posting=posting)


def _posting_form(request, form, *, employer, posting):
    """Save a draft (showing wage warnings and field errors); "submit" then sends it for review, once the
    employer has seen any warnings."""
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            if posting is None:
                result = services.posting_create(
                    employer=employer, actor=request.user, data=form.posting_data(), request=request
                )
            else:
                result = services.posting_update(
                    posting=posting, actor=request.user, data=form.posting_data(), request=request
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            posting, warnings = result.posting, result.warnings
            if request.POST.get("action") != "submit":
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(request, _("草稿已保存。"))
                return redirect("jobs:posting_edit", pk=posting.pk)
            if warnings and not form.cleaned_data.get("ack_warnings"):
                messages.success(request, _("草稿已保存。请看完下面的提示后再提交审核。"))
            else:
                return _submit(request, posting)
    context = {"form": form, "posting": posting, "warnings": warnings, "employer": employer}
    status = 400 if form.errors else 200
    return render(request, "jobs/posting_form.html", context, status=status)


def _submit(request, posting):
    try:
        posting = services.posting_submit(posting=posting, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("jobs:posting_edit", pk=posting.pk)
    if posting.status == PostingStatus.PUBLISHED:
        messages.success(request, _("岗位已发布。"))
    else:
        messages.success(request, _("已提交审核，审核通过后即对外发布。"))
    return redirect("jobs:employer_dashboard")


@login_required
@require_POST
def posting_submit(request, pk: int):
    posting = selectors.posting_get_for_employer(user=request.user, pk=pk)
    if posting is None:
        raise Http404
    return _submit(request, posting)


@login_required
@require_POST
def posting_close(request, pk: int):
    posting = selectors.posting_get_for_employer(user=request.user, pk=pk)
    if posting is None:
        raise Http404
    try:
        services.posting_close(
            posting=posting, actor=request.user, reason=request.POST.get("reason", ""), request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("岗位已关闭。"))
    return redirect("jobs:employer_dashboard")


def _own_application(request, pk: int):
    application = (
        selectors.application_list(user=request.user)
        .filter(pk=pk, posting__employer__user=request.user)
        .first()
    )
    if application is None:
        raise Http404
    return application


@login_required
@require_POST
def application_accept(request, pk: int):
    application = _own_application(request, pk)
    try:
        services.application_accept(application=application, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已录用，双方可以看到对方的联系方式。"))
    return redirect("jobs:employer_dashboard")


@login_required
@require_POST
def application_reject(request, pk: int):
    application = _own_application(request, pk)
    try:
        services.application_reject(
            application=application,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已标记为不录用。"))
    return redirect("jobs:employer_dashboard")


@login_required
def posting_workers(request, pk: int):
    """The employer's page of one posting: the top 20 recommended workers with their reasons (masked, as the
    API shows them), each with "invite to apply"."""
    posting = selectors.posting_get_for_employer(user=request.user, pk=pk)
    if posting is None:
        raise Http404
    posting.wage_display = wage_text(posting)
    recommendations = list(recommend_workers(posting=posting, limit=20)) if posting.is_open() else []
    invited = selectors.invited_worker_ids(posting=posting)
    for rec in recommendations:
        user = rec.obj.user
        rec.name, rec.phone = mask_name(user.real_name), mask_phone(user.phone)
        rec.invited = user.pk in invited
    context = {"posting": posting, "recommendations": recommendations, "is_open": posting.is_open()}
    return render(request, "jobs/posting_workers.html", context)


@login_required
@require_POST
def posting_invite(request, pk: int):
    posting = selectors.posting_get_for_employer(user=request.user, pk=pk)
    if posting is None:
        raise Http404
    try:
        worker_id = int(request.POST.get("worker", ""))
    except ValueError:
        worker_id = 0
    worker = selectors.worker_to_invite(pk=worker_id)
    if worker is None:
        raise Http404
    try:
        services.posting_invite(posting=posting, worker=worker, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("已邀请 %(name)s 报名，对方报名后会出现在报名列表中。") % {"name": mask_name(worker.real_name)},
        )
    return redirect("jobs:posting_workers", pk=posting.pk)
