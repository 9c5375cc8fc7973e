"""The worker's pages: their home (recommended jobs with reasons, their applications) and job-seeker
registration (求职登记) — also what a counter serving them sees, marked as assisted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import apply_domain_error
from core.masking import mask_name, mask_phone

from .. import selectors, services
from ..choices import ApplicationStatus, NewFormKind, PersonCategoryKind
from ..forms import CertificateFormSet, SkillFormSet, WorkerProfileForm
from ..matching import recommend_postings
from ..models import Application, Certificate, PersonCategory, WorkerProfile, WorkerSkill
from ..permissions import sees_person
from .common import wage_text
from .counter import acting_context, acting_worker


@login_required
def worker_home(request):
    """The worker's home: recommended jobs with their reasons, and my applications."""
    worker, assisted = acting_worker(request)
    profile = WorkerProfile.objects.filter(user=worker).first()
    recommendations = list(recommend_postings(worker=worker, limit=20)) if profile else []
    for rec in recommendations:
        rec.obj.wage_display = wage_text(rec.obj)
        rec.obj.distance = getattr(rec, "distance_km", None)
    applications = list(
        Application.objects.filter(worker=worker)
        .select_related("posting", "posting__occupation", "posting__employer", "posting__scope_unit")
        .order_by("-created_at", "-id")[:100]
    )
    for app in applications:
        visible = sees_person(
            request.user,
            person_id=app.posting.employer.user_id,
            counterpart_id=app.worker_id,
            hired_until=app.posting.work_end_date if app.status == ApplicationStatus.ACCEPTED else None,
            unit_id=app.posting.scope_unit_id,
        )
        app.contact_visible = visible
        app.contact_name = app.posting.contact_name if visible else mask_name(app.posting.contact_name)
        app.contact_phone = app.posting.contact_phone if visible else mask_phone(app.posting.contact_phone)
        app.can_withdraw = app.status in (ApplicationStatus.APPLIED, ApplicationStatus.ACCEPTED)
    context = {
        "worker": worker,
        "worker_label": f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}" if assisted else "",
        "profile": profile,
        "recommendations": recommendations,
        "applications": applications,
        "invitations": selectors.invitations_for(worker=worker),
        **acting_context(request),
    }
    return render(request, "jobs/worker_home.html", context)


@login_required
@require_POST
def application_withdraw(request, pk: int):
    worker, _assisted = acting_worker(request)
    application = Application.objects.filter(pk=pk, worker=worker).first()
    if application is None:
        raise Http404
    try:
        services.application_withdraw(
            application=application,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已撤回报名。"))
    return redirect("jobs:worker_home")


@login_required
@require_POST
def worker_seeking(request):
    """Pause finding work (found a steady job, away for the harvest) or resume it: a paused registration is
    not recommended to employers and stops counting as a job seeker from today (ADR 0041)."""
    worker, _assisted = acting_worker(request)
    seeking = request.POST.get("seeking") == "1"
    try:
        services.worker_seeking_set(user=worker, actor=request.user, seeking=seeking, request=request)
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for m in exc.fields.get("seeking", [exc.message])))
    else:
        messages.success(
            request,
            _("已恢复找活：平台会重新向用工方推荐您。")
            if seeking
            else _("已暂停找活：用工方不会再看到对您的推荐；随时可以恢复。"),
        )
    return redirect("jobs:worker_home")


@login_required
@require_http_methods(["GET", "POST"])
def worker_profile(request):
    """求职登记: skills with level and years, certificates, where, when, for how much, how to be told."""
    worker, assisted = acting_worker(request)
    profile = (
        WorkerProfile.objects.filter(user=worker)
        .prefetch_related(
            "preferred_units",
            Prefetch("skills", queryset=WorkerSkill.objects.select_related("occupation")),
            Prefetch("certificates", queryset=Certificate.objects.select_related("occupation")),
        )
        .first()
    )
    instance = profile or WorkerProfile(user=worker)
    skills_initial = [
        {"occupation": s.occupation.code, "level": s.level, "years": s.years}
        for s in (profile.skills.all() if profile else [])
    ]
    certs_initial = [
        {
            "occupation": c.occupation.code,
            "name": c.name,
            "number": c.number,
            "issuer": c.issuer,
            "expires_on": c.expires_on,
        }
        for c in (profile.certificates.all() if profile else [])
    ]
    post = request.POST if request.method == "POST" else None
    form = WorkerProfileForm(post, instance=instance)
    skills = SkillFormSet(post, prefix="skills", initial=skills_initial)
    certs = CertificateFormSet(post, prefix="certs", initial=certs_initial)
    if post is not None:
        forms_ok = all([form.is_valid(), skills.is_valid(), certs.is_valid()])
        if forms_ok and not skills.filled():
            form.add_error(None, _("请至少填写一个会做的工种。"))
            forms_ok = False
        if forms_ok:
            try:
                services.worker_profile_save(
                    user=worker,
                    actor=request.user,
                    data=form.profile_data(),
                    skills=[(row["occupation"], row["level"], row["years"]) for row in skills.filled()],
                    certificates=[
                        {k: row.get(k) for k in ("occupation", "name", "number", "issuer", "expires_on")}
                        for row in certs.filled()
                    ],
                    preferred_units=form.cleaned_data["preferred_units"],
                    request=request,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("求职登记已保存。") if not assisted else _("已为该劳动者保存求职登记（代办）。"),
                )
                return redirect("jobs:worker_home")
    context = {
        "form": form,
        "skills": skills,
        "certs": certs,
        "profile": profile,
        "on_record": list(profile.certificates.all()) if profile else [],
        "categories": list(PersonCategory.objects.filter(user=worker).order_by("-valid_from", "-id")[:20])
        if assisted
        else [],
        "category_choices": PersonCategoryKind.choices,
        "new_form_choices": NewFormKind.choices[1:],
        "worker_label": f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}",
        **acting_context(request),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "jobs/worker_profile.html", context, status=status)


def _date(value: str, field: str):
    import datetime as dt

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            _("日期格式应为 YYYY-MM-DD。"), fields={field: [_("日期格式应为 YYYY-MM-DD。")]}
        ) from None


@login_required
@require_POST
def person_category_record(request):
    """Counter staff record the category of the worker they serve (登记失业, 就业困难人员 …) from a date,
    with the evidence they saw."""
    worker, assisted = acting_worker(request)
    if not assisted:
        raise Http404
    try:
        services.person_category_record(
            person=worker,
            actor=request.user,
            category=request.POST.get("category", ""),
            new_form_kind=request.POST.get("new_form_kind", ""),
            valid_from=_date(request.POST.get("valid_from", ""), "valid_from"),
            valid_to=_date(request.POST.get("valid_to", ""), "valid_to"),
            evidence=request.POST.get("evidence", ""),
            request=request,
        )
    except DomainError as exc:
        details = [str(m) for messages_ in exc.fields.values() for m in messages_]
        messages.error(request, " ".join([str(exc.message), *details]))
    else:
        messages.success(request, _("已登记人员类别。"))
    return redirect(f"{reverse('jobs:worker_profile')}#category-title")


@login_required
@require_POST
def certificate_verify(request, pk: int):
    """Counter staff verify (or reject) a certificate of the worker they serve, against the original."""
    worker, assisted = acting_worker(request)
    certificate = selectors.certificate_of(worker=worker, pk=pk)
    if certificate is None or not assisted:
        raise Http404
    try:
        services.certificate_verify(
            certificate=certificate,
            actor=request.user,
            verified=request.POST.get("verified") == "1",
            note=request.POST.get("note", ""),
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已记录证书核验结果。"))
    return redirect(f"{reverse('jobs:worker_profile')}#verify-title")
