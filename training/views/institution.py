"""Training pages: the institution's own pages (apply, home, classes and their sessions, sign-up points,
members) and its public page; and the panel that lists an institution's sign-up points, classrooms and
upcoming classes on a market's public page and board (``markets.extensions``). Mobile first, no JS."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import apply_domain_error
from core.masking import mask_name, mask_phone
from core.models import ScopeUnit
from markets.choices import MarketStatus
from markets.extensions import MarketPanel
from markets.models import Market

from ..choices import (
    ACTIVE_ENROLLMENT_STATUSES,
    OPEN_CLASS_STATUSES,
    ClassMode,
    ClassStatus,
    InstitutionStatus,
    SignUpPointKind,
    VenueKind,
)
from ..models import CatalogueItem, Institution, SignUpPoint, TrainingClass
from ..permissions import membership
from ..services import classes as class_services
from ..services import institutions as services

# --- forms --------------------------------------------------------------------------------------------------


class InstitutionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("机构名称"), max_length=128)
    uscc = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=18)
    licence_number = forms.CharField(label=gettext_lazy("办学许可证或营业执照编号"), max_length=64)
    licence_scan = forms.FileField(label=gettext_lazy("许可证扫描件（JPEG、PNG 或 PDF）"), required=False)
    scope_unit = forms.ModelChoiceField(
        label=gettext_lazy("所属县（市、区）"), queryset=ScopeUnit.objects.none()
    )
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=64)
    contact_phone = forms.CharField(label=gettext_lazy("咨询电话"), max_length=32)
    description = forms.CharField(
        label=gettext_lazy("机构简介"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_unit"].queryset = ScopeUnit.objects.filter(is_active=True).order_by("code")


class ClassForm(forms.Form):
    item = forms.ModelChoiceField(label=gettext_lazy("培训项目"), queryset=CatalogueItem.objects.none())
    title = forms.CharField(label=gettext_lazy("班级名称"), max_length=100)
    mode = forms.ChoiceField(label=gettext_lazy("培训方式"), choices=ClassMode.choices)
    online_platform = forms.CharField(label=gettext_lazy("线上平台"), max_length=100, required=False)
    venue_kind = forms.ChoiceField(
        label=gettext_lazy("场地类型"), choices=[("", "—"), *VenueKind.choices], required=False
    )
    market = forms.ModelChoiceField(
        label=gettext_lazy("所在零工市场"), queryset=Market.objects.none(), required=False
    )
    venue_name = forms.CharField(label=gettext_lazy("场地名称"), max_length=100, required=False)
    venue_address = forms.CharField(label=gettext_lazy("场地地址"), max_length=200, required=False)
    venue_lat = forms.FloatField(label=gettext_lazy("场地纬度"), required=False)
    venue_lng = forms.FloatField(label=gettext_lazy("场地经度"), required=False)
    capacity = forms.IntegerField(label=gettext_lazy("招生人数"), min_value=1)
    waitlist_limit = forms.IntegerField(label=gettext_lazy("候补人数上限"), min_value=0, initial=20)
    starts_on = forms.DateField(
        label=gettext_lazy("开班日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=gettext_lazy("结业日期"), widget=forms.DateInput(attrs={"type": "date"}))
    enrollment_closes_on = forms.DateField(
        label=gettext_lazy("报名截止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    subsidised = forms.BooleanField(label=gettext_lazy("纳入补贴"), required=False, initial=True)
    teachers = forms.CharField(
        label=gettext_lazy("授课教师"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    roster_plan = forms.CharField(
        label=gettext_lazy("招生计划"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    exam_plan = forms.CharField(
        label=gettext_lazy("考核计划"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = CatalogueItem.objects.filter(is_active=True)
        self.fields["market"].queryset = Market.objects.filter(status=MarketStatus.OPERATING).order_by("name")


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    class_hours = forms.IntegerField(
        label=gettext_lazy("课时（留空按每 45 分钟一课时计算）"), min_value=1, required=False
    )
    topic = forms.CharField(label=gettext_lazy("内容"), max_length=100, required=False)
    teacher = forms.CharField(label=gettext_lazy("授课教师"), max_length=64, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=300)


class PointForm(forms.Form):
    market = forms.ModelChoiceField(label=gettext_lazy("零工市场"), queryset=Market.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=SignUpPointKind.choices)
    location = forms.CharField(label=gettext_lazy("位置"), max_length=100)
    opening_hours = forms.CharField(label=gettext_lazy("开放时间"), max_length=100, required=False)
    seats = forms.IntegerField(label=gettext_lazy("座位数"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].queryset = Market.objects.filter(status=MarketStatus.OPERATING).order_by("name")


class MemberForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("手机号（对方须已注册）"), max_length=20)
    teacher = forms.BooleanField(label=gettext_lazy("授课教师"), required=False, initial=True)
    admin = forms.BooleanField(label=gettext_lazy("机构管理员"), required=False)


# --- helpers ------------------------------------------------------------------------------------------------


def url_if_exists(name: str, *args) -> str:
    """The address of a page another part of the app may not have built yet, or ""."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name) or ""
    return int(value) if value.isdigit() else 0


def _membership_or_404(request):
    member = membership(request.user)
    if member is None:
        raise Http404
    return member


def _own_class(request, pk: int):
    member = _membership_or_404(request)
    training_class = get_object_or_404(
        TrainingClass.objects.select_related("item", "market", "scope_unit"),
        pk=pk,
        institution_id=member.institution_id,
    )
    return member, training_class


def _class_data(form: ClassForm) -> dict:
    data = dict(form.cleaned_data)
    data["item"] = data["item"].pk if data.get("item") else None
    data["market"] = data["market"].pk if data.get("market") else None
    return data


# --- applying -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def institution_apply(request):
    """Apply to be filed, or correct and resend a returned application."""
    member = membership(request.user)
    institution = member.institution if member else None
    if institution is not None and institution.status != InstitutionStatus.RETURNED:
        return redirect("training:institution_home")
    initial = {}
    if institution is not None:
        initial = {f: getattr(institution, f) for f in services.INSTITUTION_FIELDS}
    form = InstitutionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        scan = data.pop("licence_scan", None)
        try:
            if institution is None:
                services.institution_apply(request.user, data, scan, request=request)
            else:
                services.institution_resubmit(institution, request.user, data, scan, request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已提交备案申请，县（市、区）人社部门审核后会通知您。"))
            return redirect("training:institution_home")
    return render(request, "training/institution/apply.html", {"form": form, "institution": institution})


# --- the institution's home ---------------------------------------------------------------------------------


@login_required
def institution_home(request):
    member = membership(request.user)
    if member is None:
        return redirect("training:institution_apply")
    institution = member.institution
    classes = list(institution.classes.select_related("item", "market").order_by("-starts_on", "-id"))
    by_status = [(label, [c for c in classes if c.status == value]) for value, label in ClassStatus.choices]
    return render(
        request,
        "training/institution/home.html",
        {
            "institution": institution,
            "member": member,
            "by_status": [(label, rows) for label, rows in by_status if rows],
            "points": institution.signup_points.select_related("market").filter(is_active=True),
            "members": [
                {"name": mask_name(m.user.real_name), "is_admin": m.is_admin, "is_teacher": m.is_teacher}
                for m in institution.members.select_related("user").order_by("-is_admin", "added_at")
            ],
        },
    )


# --- classes ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def class_new(request):
    member = _membership_or_404(request)
    form = ClassForm(request.POST or None, initial={"mode": ClassMode.OFFLINE, "subsidised": True})
    if request.method == "POST" and form.is_valid():
        try:
            training_class = class_services.class_save(
                member.institution, request.user, _class_data(form), request=request
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("班级草稿已保存，请安排课次后提交审核。"))
            return redirect("training:institution_class", pk=training_class.pk)
    return render(request, "training/institution/class_form.html", {"form": form, "training_class": None})


@login_required
@require_http_methods(["GET", "POST"])
def class_edit(request, pk: int):
    member, training_class = _own_class(request, pk)
    initial = {
        f: getattr(training_class, f) for f in class_services.CLASS_FIELDS if hasattr(training_class, f)
    }
    form = ClassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            class_services.class_save(
                member.institution,
                request.user,
                _class_data(form),
                training_class=training_class,
                request=request,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("training:institution_class", pk=training_class.pk)
    return render(
        request, "training/institution/class_form.html", {"form": form, "training_class": training_class}
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_page(request, pk: int):
    """The class for its institution: sessions (add and remove), the workflow buttons, the roster."""
    member, training_class = _own_class(request, pk)
    session_form = SessionForm(prefix="session")
    reason_form = ReasonForm(prefix="cancel")
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "session_add":
                session_form = SessionForm(request.POST, prefix="session")
                if not session_form.is_valid():
                    raise DomainError(_("请检查课次时间。"))
                class_services.session_add(
                    training_class, request.user, **session_form.cleaned_data, request=request
                )
            elif op == "session_remove":
                class_services.session_remove(
                    training_class,
                    request.user,
                    session_id=_posted_id(request, "session"),
                    request=request,
                )
            elif op == "submit":
                class_services.class_submit(training_class, request.user, request=request)
            elif op == "start":
                class_services.class_start(training_class, request.user, request=request)
            elif op == "complete":
                class_services.class_complete(training_class, request.user, request=request)
            elif op == "cancel":
                reason_form = ReasonForm(request.POST, prefix="cancel")
                reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
                class_services.class_cancel(training_class, request.user, reason, request=request)
            else:
                raise DomainError(_("未知操作。"))
        except DomainError as exc:
            target = session_form if op == "session_add" else reason_form if op == "cancel" else None
            if target is not None and exc.fields:
                apply_domain_error(target, exc)
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已完成。"))
            return redirect("training:institution_class", pk=training_class.pk)
    sessions = list(training_class.sessions.all())
    rate = class_services.rate_in_force(
        training_class.item, training_class.scope_unit_id, training_class.starts_on
    )
    roster = [
        {
            "name": mask_name(e.worker.real_name),
            "phone": mask_phone(e.worker.phone),
            "status": e.get_status_display(),
            "channel": e.get_channel_display(),
        }
        for e in training_class.enrollments.select_related("worker").filter(
            status__in=ACTIVE_ENROLLMENT_STATUSES
        )
    ]
    status = training_class.status
    return render(
        request,
        "training/institution/class_detail.html",
        {
            "training_class": training_class,
            "sessions": sessions,
            "total_hours": sum(s.class_hours for s in sessions),
            "rate": rate,
            "roster": roster,
            "session_form": session_form,
            "reason_form": reason_form,
            "editable": status in class_services.EDITABLE_STATUSES,
            "can_add_session": status in class_services.SESSION_ADD_STATUSES,
            "can_submit": status in class_services.EDITABLE_STATUSES,
            "can_start": status == ClassStatus.APPROVED,
            "can_complete": status == ClassStatus.RUNNING,
            "can_cancel": status in OPEN_CLASS_STATUSES,
            "attendance_url": url_if_exists("training:attendance_sheet", training_class.pk),
            "results_url": url_if_exists("training:results", training_class.pk),
            "is_admin": member.is_admin,
        },
    )


# --- sign-up points and members -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def points(request):
    member = _membership_or_404(request)
    institution = member.institution
    form = PointForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "close":
                point = get_object_or_404(
                    SignUpPoint, pk=_posted_id(request, "point"), institution=institution
                )
                services.signup_point_close(point, request.user, request=request)
            elif form.is_valid():
                data = dict(form.cleaned_data)
                data["market"] = data["market"].pk
                services.signup_point_save(institution, request.user, data, request=request)
            else:
                raise DomainError(_("请检查填写的内容。"))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("training:institution_points")
    rows = institution.signup_points.select_related("market").order_by("-is_active", "market__name")
    return render(
        request,
        "training/institution/points.html",
        {"institution": institution, "points": rows, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request):
    member = _membership_or_404(request)
    institution = member.institution
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "remove":
                services.member_remove(
                    institution, request.user, member_id=_posted_id(request, "member"), request=request
                )
            elif form.is_valid():
                services.member_add(institution, request.user, **form.cleaned_data, request=request)
            else:
                raise DomainError(_("请检查填写的内容。"))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("training:institution_members")
    rows = [
        {
            "pk": m.pk,
            "name": mask_name(m.user.real_name),
            "phone": mask_phone(m.user.phone),
            "is_admin": m.is_admin,
            "is_teacher": m.is_teacher,
            "is_me": m.user_id == request.user.pk,
        }
        for m in institution.members.select_related("user").order_by("-is_admin", "added_at")
    ]
    return render(
        request,
        "training/institution/members.html",
        {"institution": institution, "members": rows, "form": form, "is_admin": member.is_admin},
    )


# --- public -------------------------------------------------------------------------------------------------


def _template_exists(name: str) -> bool:
    try:
        select_template([name])
    except TemplateDoesNotExist:
        return False
    return True


def institution_public(request, pk: int):
    institution = Institution.objects.filed().select_related("scope_unit").filter(pk=pk).first()
    if institution is None:
        raise Http404
    classes = (
        institution.classes.filter(status__in=OPEN_CLASS_STATUSES)
        .select_related("item", "market")
        .order_by("starts_on", "id")
    )
    return render(
        request,
        "training/institution/public.html",
        {
            "institution": institution,
            "classes": classes,
            "points": institution.signup_points.filter(is_active=True).select_related("market"),
            "show_outcomes": _template_exists("training/_outcomes.html"),
        },
    )


# --- the market's panel -------------------------------------------------------------------------------------


def market_panel(market, *, board: bool = False) -> MarketPanel | None:
    """Filed institutions' active sign-up points and classrooms at the market, and the approved classes
    held there that have not ended (``markets.extensions``)."""
    points = (
        SignUpPoint.objects.filter(market=market, is_active=True, institution__status=InstitutionStatus.FILED)
        .select_related("institution")
        .order_by("kind", "id")
    )
    classes = (
        TrainingClass.objects.filter(
            market=market,
            status__in=OPEN_CLASS_STATUSES,
            institution__status=InstitutionStatus.FILED,
            ends_on__gte=timezone.localdate(),
        )
        .select_related("institution")
        .order_by("starts_on", "id")[:10]
    )
    rows = [
        {
            "text": f"{p.institution.name} · {p.get_kind_display()}",
            "note": " ".join(x for x in (p.location, p.opening_hours) if x),
            "url": reverse("training:institution_public", args=[p.institution_id]),
        }
        for p in points
    ]
    rows += [
        {
            "text": c.title,
            "note": _("%(date)s 开班 · %(name)s · 余 %(left)s 个名额")
            % {"date": c.starts_on.strftime("%Y-%m-%d"), "name": c.institution.name, "left": c.seats_left},
            "url": reverse("training:institution_public", args=[c.institution_id]),
        }
        for c in classes
    ]
    if not rows:
        return None
    return MarketPanel(title=_("技能培训报名点和近期开班"), rows=rows)


urlpatterns = [
    path("institution/apply/", institution_apply, name="institution_apply"),
    path("institution/", institution_home, name="institution_home"),
    path("institution/classes/new/", class_new, name="institution_class_new"),
    path("institution/classes/<int:pk>/", class_page, name="institution_class"),
    path("institution/classes/<int:pk>/edit/", class_edit, name="institution_class_edit"),
    path("institution/points/", points, name="institution_points"),
    path("institution/members/", members, name="institution_members"),
    path("institutions/<int:pk>/", institution_public, name="institution_public"),
]
