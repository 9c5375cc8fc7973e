"""Training pages: course search (public), a class's page with its sessions and sign-up points, enroll,
my trainings and withdraw (the worker, or a counter serving them), and the counter's enrollment page. Mobile
first, plain forms, no JavaScript."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from jobs.occupations import tree
from jobs.permissions import can_serve_counter
from jobs.views.counter import acting_context, acting_worker

from .. import selectors
from ..choices import ClassMode, EnrollmentChannel, EnrollmentStatus
from ..models import Enrollment, SignUpPoint
from ..services.enrollment import enroll as enroll_service
from ..services.enrollment import withdraw as withdraw_service

PAGE_SIZE = 20
MAX_PAGE = 500
RADII = ((5, "5 km"), (10, "10 km"), (20, "20 km"), (50, "50 km"))


def url_if_exists(name: str, *args) -> str:
    """The address of ``name`` when another part of the app has built it, else an empty string."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class CourseSearchForm(forms.Form):
    """The course search filters (a plain GET form). Choices come from cached copies: no query."""

    occupation = forms.ChoiceField(label=gettext_lazy("工种"), required=False)
    county = forms.TypedChoiceField(
        label=gettext_lazy("县（市、区）"), required=False, coerce=int, empty_value=None
    )
    starts_from = forms.DateField(
        label=gettext_lazy("开班日期不早于"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    subsidised = forms.BooleanField(label=gettext_lazy("只看有补贴的"), required=False)
    mode = forms.ChoiceField(
        label=gettext_lazy("培训方式"),
        required=False,
        choices=[("", gettext_lazy("不限")), *ClassMode.choices],
    )
    near = forms.BooleanField(label=gettext_lazy("离我近的"), required=False)
    radius_km = forms.TypedChoiceField(
        label=gettext_lazy("范围"), required=False, coerce=int, choices=RADII, empty_value=20, initial=20
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].choices = [("", _("全部工种")), *selectors.occupation_choices()]
        self.fields["county"].choices = [("", _("全市")), *selectors.county_choices()]


def _home_point(worker) -> tuple[float, float] | None:
    profile = getattr(worker, "worker_profile", None) if worker is not None else None
    lat, lng = getattr(profile, "home_lat", None), getattr(profile, "home_lng", None)
    return (lat, lng) if lat is not None and lng is not None else None


def _search(request, worker=None) -> dict:
    """The search form, the page of classes and the pager's addresses (one query)."""
    form = CourseSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    occupation = tree().by_code.get(data.get("occupation") or "")
    near, near_missing = None, False
    if data.get("near"):
        if data.get("lat") is not None and data.get("lng") is not None:
            near = (data["lat"], data["lng"])
        else:
            near = _home_point(worker)
            near_missing = near is None
    classes = selectors.course_list(
        occupation=occupation,
        county_id=data.get("county"),
        near=near,
        radius_km=float(data.get("radius_km") or 20),
        starts_from=data.get("starts_from"),
        subsidised_only=bool(data.get("subsidised")),
        mode=data.get("mode") or "",
    )
    # one query per page: a page reads one row more than it shows to know whether another follows (no
    # count: the list is a hot path, and "page n of m" is not worth a second scan)
    number = request.GET.get("page", "")
    number = int(number) if number.isdigit() and 0 < int(number) <= MAX_PAGE else 1
    offset = (number - 1) * PAGE_SIZE
    rows = list(classes[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("page", None)

    def page_url(n):
        query["page"] = n
        return f"?{query.urlencode()}"

    raw = form.data
    errors = form.errors if form.is_bound else {}
    selects = [
        SimpleNamespace(
            name=name,
            label=form.fields[name].label,
            choices=form.fields[name].choices,
            value=str(raw.get(name) or form.fields[name].initial or ""),
            errors=errors.get(name, []),
        )
        for name in ("occupation", "county", "mode", "radius_km")
    ]
    checks = [
        SimpleNamespace(name=name, label=form.fields[name].label, checked=bool(raw.get(name)))
        for name in ("subsidised", "near")
    ]
    return {
        "form": form,
        "selects": selects,
        "checks": checks,
        "page_number": number,
        "classes": _rows(selectors.with_rates(rows)),
        "near_missing": near_missing,
        "previous_url": page_url(number - 1) if number > 1 else "",
        "next_url": page_url(number + 1) if has_next else "",
    }


def _rows(classes: list) -> list:
    """The list's lines written out here, not in the template: the course list is a hot path (issue 15's
    80 ms at 50 req/s) and a template spends several times longer on the same formatting."""
    link = reverse("training:class_detail", args=[0])
    market_label, sep = _("零工市场内"), _("：")
    full, free = _("名额已满，可候补"), _("免费")
    for c in classes:
        c.url = link.replace("/0/", f"/{c.pk}/")
        meta = [c.institution.name, c.get_mode_display()]
        if c.market_id:
            meta.append(f"{market_label}{sep}{c.market.name}")
        elif c.venue_name:
            meta.append(c.venue_name)
        distance = getattr(c, "distance_km", None)
        if distance is not None:
            meta.append(_("%(km)s 公里") % {"km": f"{distance:.1f}"})
        c.meta_text = " · ".join(meta)
        facts = [
            f"{c.starts_on:%Y-%m-%d} – {c.ends_on:%Y-%m-%d}",
            _("余 %(n)s 个名额") % {"n": c.seats_left} if c.seats_left else full,
            _("培训费 ¥%(fee)s") % {"fee": c.fee} if c.fee else free,
        ]
        c.facts_text = " · ".join(facts)
        c.subsidy_text = (
            _("补贴 ¥%(rate)s/人") % {"rate": c.subsidy_rate}
            if c.subsidised and c.subsidy_rate is not None
            else ""
        )
    return classes


def courses(request):
    """Course search: the classes open for enrollment (public)."""
    worker = request.user if request.user.is_authenticated else None
    return render(request, "training/courses/list.html", _search(request, worker))


def class_detail(request, pk: int):
    training_class = selectors.course_get(pk)
    if training_class is None:
        raise Http404
    worker, assisted = acting_worker(request)
    mine = selectors.live_enrollment(training_class, worker) if worker is not None else None
    points = (
        SignUpPoint.objects.filter(classes=training_class, is_active=True)
        .select_related("market")
        .order_by("market__name", "id")
    )
    takes = training_class.enrollment_block() is None
    return render(
        request,
        "training/courses/detail.html",
        {
            "c": training_class,
            "sessions": training_class.sessions.order_by("starts_at"),
            "points": points,
            "mine": mine,
            "takes_enrollments": takes,
            "waitlist_left": max(training_class.waitlist_limit - training_class.waitlist_count, 0),
            "institution_url": url_if_exists("training:institution_public", training_class.institution_id),
            **acting_context(request),
        },
    )


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def enroll(request, pk: int):
    """Enroll the signed-in worker, or the worker a counter is serving (assisted)."""
    training_class = selectors.course_get(pk)
    if training_class is None:
        raise Http404
    worker, assisted = acting_worker(request)
    channel = EnrollmentChannel.COUNTER if assisted else EnrollmentChannel.ONLINE
    try:
        enrollment = enroll_service(training_class, worker, request.user, channel, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if enrollment.status == EnrollmentStatus.WAITLISTED:
            messages.success(request, _("名额已满，已登记候补。有空位时会通知。"))
        else:
            messages.success(request, _("报名成功。"))
    return redirect(_safe_next(request, reverse("training:class_detail", args=[pk])))


def _next_session_text(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@login_required
def my_trainings(request):
    """The worker's enrollments: status, class, next session, hours attended out of the minimum."""
    worker, assisted = acting_worker(request)
    rows = list(selectors.my_enrollments(worker)[:100])
    for row in rows:
        row.can_withdraw = row.status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED) and (
            row.training_class.status not in ("completed", "cancelled")
        )
        row.claim_url = (
            url_if_exists("training:claim_new", row.pk) if row.status == EnrollmentStatus.COMPLETED else ""
        )
        row.next_session_text = _next_session_text(row.next_session)
    return render(
        request,
        "training/courses/mine.html",
        {"enrollments": rows, **acting_context(request)},
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    worker, assisted = acting_worker(request)
    enrollment = Enrollment.objects.filter(pk=pk, worker=worker).first()
    if enrollment is None:
        raise Http404
    try:
        withdraw_service(enrollment, request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已退出该培训班。"))
    return redirect(_safe_next(request, reverse("training:my_trainings")))


@login_required
def counter(request):
    """The counter: enroll the worker being served into a class found by the same search."""
    if not can_serve_counter(request.user):
        raise Http404
    worker, assisted = acting_worker(request)
    context = _search(request, worker if assisted else None)
    context.update(acting_context(request))
    context["serving"] = assisted
    return render(request, "training/courses/counter.html", context)


urlpatterns = [
    path("", courses, name="courses"),
    path("classes/<int:pk>/", class_detail, name="class_detail"),
    path("classes/<int:pk>/enroll/", enroll, name="enroll"),
    path("mine/", my_trainings, name="my_trainings"),
    path("enrollments/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("counter/", counter, name="counter"),
]
