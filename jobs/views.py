"""Pages of jobs: search (list and map), posting detail with apply and report, the worker's home and
job-seeker registration, employer registration, dashboard and posting form, and the counter where staff
serve a worker through the same pages (marked as assisted) and write referral slips (介绍信).

Server-rendered, every page works without JavaScript; reads come from the selectors (404 outside scope),
writes go through the services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import NotFound as CursorNotFound

from core.errors import DomainError
from core.forms import apply_domain_error
from core.geo import haversine_km
from core.masking import mask_id_number, mask_name, mask_phone

from . import selectors, services
from .api.pagination import KeysetCursorPagination
from .choices import ApplicationSource, ApplicationStatus, PostingStatus, WageUnit
from .filtersets import PostingFilterSet
from .forms import (
    CertificateFormSet,
    CounterLookupForm,
    EmployerRegisterForm,
    PostingForm,
    ReferralForm,
    ReportForm,
    SkillFormSet,
    WorkerProfileForm,
)
from .models import Application, Certificate, EmployerProfile, WorkerProfile, WorkerSkill
from .permissions import can_serve_counter, employer_profile_of, is_worker, workers_served_by
from .qr import qr_svg

COUNTER_SESSION_KEY = "jobs_counter_worker"


def _map_config() -> dict:
    return {
        "tiles": settings.LINGONG_MAP_TILE_URL,
        "labels": settings.LINGONG_MAP_LABEL_URL,
        "subdomains": settings.LINGONG_MAP_TILE_SUBDOMAINS,
        "attribution": settings.LINGONG_MAP_ATTRIBUTION,
        "center": settings.LINGONG_MAP_CENTER,
        "zoom": settings.LINGONG_MAP_ZOOM,
    }


def acting_worker(request):
    """(worker, assisted): whose pages these are. At a counter, the worker the staff member is serving
    (chosen on the counter page); otherwise the signed-in person."""
    user = request.user
    if not user.is_authenticated:
        return None, False
    worker_id = request.session.get(COUNTER_SESSION_KEY)
    if worker_id and can_serve_counter(user):
        worker = workers_served_by(user).filter(pk=worker_id).first()
        if worker is not None:
            return worker, True
    return user, False


def _acting_context(request) -> dict:
    """The counter banner: whom the staff member is serving (masked)."""
    worker, assisted = acting_worker(request)
    if not assisted:
        return {"acting_worker": None}
    return {
        "acting_worker": worker,
        "acting_label": f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}",
    }


def wage_text(posting) -> str:
    """ "220 元/天", "0.015 元/件": the rate as posted, without trailing zeros."""
    unit = dict(WageUnit.choices).get(posting.wage_unit, "")
    return f"{posting.wage_amount.normalize():f} {unit}"


# --- search and detail -----------------------------------------------------------------------------------


class _SearchView:
    keyset_ordering = None


def posting_search(request):
    """Public search (no login): the shared FilterSet, keyset pages, a map of the page's postings."""
    data = request.GET.copy()
    worker, _assisted = acting_worker(request)
    profile = (
        WorkerProfile.objects.filter(user=worker).only("home_lat", "home_lng").first() if worker else None
    )
    has_home = bool(profile and profile.home_lat is not None and profile.home_lng is not None)
    if data.get("near") == "home" and has_home:
        data["lat"], data["lng"] = str(profile.home_lat), str(profile.home_lng)
    if not data.get("ordering"):
        # nearest first once a point is given, else newest (and the <select> shows which)
        data["ordering"] = "distance" if data.get("lat") and data.get("lng") else "-published"
    filterset = PostingFilterSet(data, queryset=selectors.posting_list_public(), request=request)
    postings, paginator = [], None
    if filterset.is_valid():
        view = _SearchView()
        view.keyset_ordering = filterset.ordering_fields
        paginator = KeysetCursorPagination()
        try:
            postings = paginator.paginate_queryset(filterset.qs, request, view)
        except CursorNotFound as exc:
            raise Http404 from exc
        paginator.base_url = request.get_full_path()
    features = [
        {
            "type": "Feature",
            "id": p.pk,
            "geometry": {"type": "Point", "coordinates": [p.lng, p.lat]},
            "properties": {
                "title": p.title,
                "url": reverse("jobs:detail", args=[p.pk]),
                "address": p.address,
                "wage": wage_text(p),
                "employer": p.employer.display_name,
            },
        }
        for p in postings
    ]
    for p in postings:
        p.wage_display = wage_text(p)
        p.distance = getattr(p, "distance_km", None)
    context = {
        "filter": filterset,
        "postings": postings,
        "next_url": paginator.get_next_link() if paginator else None,
        "previous_url": paginator.get_previous_link() if paginator else None,
        "features": {"type": "FeatureCollection", "features": features},
        "map_config": _map_config(),
        "has_home": has_home,
        "near_home": data.get("near") == "home" and has_home,
        **_acting_context(request),
    }
    return render(request, "jobs/posting_search.html", context, status=200 if filterset.is_valid() else 400)


def _visible_posting(request, pk: int):
    posting = selectors.posting_list(user=request.user).filter(pk=pk).first()
    if posting is None:
        raise Http404
    return posting


def _detail_context(request, posting, report_form=None) -> dict:
    worker, assisted = acting_worker(request)
    visible = services.contact_visible(posting=posting, user=request.user)
    application = None
    if worker is not None:
        application = Application.objects.filter(posting=posting, worker=worker).first()
    posting.wage_display = wage_text(posting)
    return {
        "posting": posting,
        "is_open": posting.is_open(),
        "contact_visible": visible,
        "contact_name": posting.contact_name if visible else mask_name(posting.contact_name),
        "contact_phone": posting.contact_phone if visible else mask_phone(posting.contact_phone),
        "application": application,
        "is_owner": getattr(request.user, "pk", None) == posting.employer.user_id,
        "report_form": report_form or ReportForm(),
        "map_config": _map_config(),
        "feature": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": posting.pk,
                    "geometry": {"type": "Point", "coordinates": [posting.lng, posting.lat]},
                    "properties": {
                        "title": posting.title,
                        "url": reverse("jobs:detail", args=[posting.pk]),
                        "address": posting.address,
                        "wage": posting.wage_display,
                        "employer": posting.employer.display_name,
                    },
                }
            ],
        },
        **_acting_context(request),
    }


def posting_detail(request, pk: int):
    posting = _visible_posting(request, pk)
    return render(request, "jobs/posting_detail.html", _detail_context(request, posting))


@require_POST
def posting_apply(request, pk: int):
    """The apply button: the worker themselves, or the worker a counter is serving (source: counter)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('jobs:detail', args=[pk])}")
    posting = _visible_posting(request, pk)
    worker, assisted = acting_worker(request)
    if not assisted and not is_worker(request.user):
        messages.error(request, _("请先填写求职登记，再报名。"))
        return redirect("jobs:worker_profile")
    try:
        services.application_apply(
            posting=posting,
            worker=worker,
            actor=request.user,
            source=ApplicationSource.COUNTER if assisted else ApplicationSource.SELF,
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("报名成功，用工方录用后会通知您。"))
    return redirect("jobs:detail", pk=posting.pk)


@require_POST
def posting_report(request, pk: int):
    """Anyone, signed in or not, may report a posting; the report reaches the county's reviewers."""
    posting = _visible_posting(request, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render(
            request, "jobs/posting_detail.html", _detail_context(request, posting, form), status=400
        )
    services.posting_report(posting=posting, reporter=request.user, request=request, **form.cleaned_data)
    messages.success(request, _("已收到您的举报，工作人员会尽快核查。"))
    return redirect("jobs:detail", pk=posting.pk)


# --- worker ----------------------------------------------------------------------------------------------


@login_required
def worker_home(request):
    """The worker's home: recommended jobs with their reasons, and my applications."""
    from .matching import recommend_postings

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
        visible = not assisted and app.status == ApplicationStatus.ACCEPTED
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
        **_acting_context(request),
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
        "worker_label": f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}",
        **_acting_context(request),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "jobs/worker_profile.html", context, status=status)


# --- employer --------------------------------------------------------------------------------------------


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
    employer = employer_profile_of(request.user)
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
        accepted = app.status == ApplicationStatus.ACCEPTED
        app.worker_name = app.worker.real_name if accepted else mask_name(app.worker.real_name)
        app.worker_phone = app.worker.phone if accepted else mask_phone(app.worker.phone)
        app.reasons = _applicant_reasons(app, profiles.get(app.worker_id))
        by_posting.setdefault(app.posting_id, []).append(app)
    for p in postings:
        p.applicants = by_posting.get(p.pk, [])
        p.wage_display = wage_text(p)
        p.can_edit = p.status == PostingStatus.DRAFT
        p.can_close = p.status in (PostingStatus.PUBLISHED, PostingStatus.FILLED)
    return render(request, "jobs/employer_dashboard.html", {"employer": employer, "postings": postings})


def _employer_or_redirect(request):
    employer = employer_profile_of(request.user)
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


# --- counter and referral --------------------------------------------------------------------------------


def _require_counter(request) -> None:
    if not can_serve_counter(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def counter(request):
    """The counter: find a worker by their full mobile number, then serve them through the worker pages
    (registration, search, apply), or refer them to a posting with a printed slip."""
    _require_counter(request)
    lookup = CounterLookupForm(request.POST if request.POST.get("action") == "lookup" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "end":
            request.session.pop(COUNTER_SESSION_KEY, None)
            messages.success(request, _("已结束代办。"))
            return redirect("jobs:counter")
        if action == "lookup" and lookup.is_valid():
            worker = workers_served_by(request.user).filter(phone=lookup.cleaned_data["phone"]).first()
            if worker is None:
                lookup.add_error(
                    "phone", _("没有找到该号码的用户（或不在您的服务范围内）。请先协助其注册账号。")
                )
            else:
                request.session[COUNTER_SESSION_KEY] = worker.pk
                messages.success(
                    request,
                    _("正在为 %(who)s 办理。")
                    % {"who": f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}"},
                )
                return redirect("jobs:counter")
    worker, assisted = acting_worker(request)
    context = {
        "lookup": lookup,
        "worker": worker if assisted else None,
        "referral": ReferralForm(),
        **_acting_context(request),
    }
    if assisted:
        context.update(_counter_worker_context(worker))
    return render(request, "jobs/counter.html", context, status=400 if lookup.errors else 200)


def _counter_worker_context(worker) -> dict:
    from .matching import recommend_postings

    profile = (
        WorkerProfile.objects.filter(user=worker)
        .prefetch_related(Prefetch("skills", queryset=WorkerSkill.objects.select_related("occupation")))
        .first()
    )
    recommendations = list(recommend_postings(worker=worker, limit=10)) if profile else []
    for rec in recommendations:
        rec.obj.wage_display = wage_text(rec.obj)
        rec.obj.distance = getattr(rec, "distance_km", None)
    return {
        "worker_label": f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}",
        "profile": profile,
        "recommendations": recommendations,
    }


@login_required
@require_POST
def referral_create(request):
    """职业介绍: staff refer the worker they are serving to a posting, with notes; then print the slip."""
    _require_counter(request)
    worker, assisted = acting_worker(request)
    if not assisted:
        messages.error(request, _("请先输入劳动者手机号码，选择要服务的劳动者。"))
        return redirect("jobs:counter")
    form = ReferralForm(request.POST)
    if form.is_valid():
        posting = selectors.posting_list(user=request.user).filter(pk=form.cleaned_data["posting"]).first()
        if posting is None:
            form.add_error("posting", _("没有找到该岗位，或岗位不在您的服务范围内。"))
        else:
            try:
                application = services.application_apply(
                    posting=posting,
                    worker=worker,
                    actor=request.user,
                    source=ApplicationSource.REFERRAL,
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error("posting", str(exc.message))
            else:
                messages.success(request, _("已介绍，请打印介绍信交给劳动者。"))
                return redirect("jobs:referral_slip", pk=application.pk)
    context = {"lookup": CounterLookupForm(), "worker": worker, "referral": form, **_acting_context(request)}
    context.update(_counter_worker_context(worker))
    return render(request, "jobs/counter.html", context, status=400)


@login_required
def referral_slip(request, pk: int):
    """The printable referral slip (介绍信) with a QR code of the posting's page."""
    base = Application.objects.select_related(
        "posting",
        "posting__occupation",
        "posting__employer",
        "posting__scope_unit",
        "posting__market",
        "worker",
        "acted_by",
    ).filter(pk=pk, source=ApplicationSource.REFERRAL)
    application = base.filter(
        Q(pk__in=selectors.application_list(user=request.user).values("pk")) | Q(acted_by=request.user)
    ).first()
    if application is None:
        raise Http404
    posting = application.posting
    url = request.build_absolute_uri(reverse("jobs:detail", args=[posting.pk]))
    posting.wage_display = wage_text(posting)
    context = {
        "application": application,
        "posting": posting,
        "worker": application.worker,
        "worker_id_masked": mask_id_number(application.worker.id_number),
        "worker_phone_masked": mask_phone(application.worker.phone),
        "contact_name": mask_name(posting.contact_name),
        "contact_phone": mask_phone(posting.contact_phone),
        "referrer": application.acted_by,
        "qr_svg": qr_svg(url, title=_("扫码查看岗位详情")),
        "posting_url": url,
        "today": timezone.localdate(),
    }
    return render(request, "jobs/referral_slip.html", context)
