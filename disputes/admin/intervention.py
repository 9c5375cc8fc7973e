"""Timely intervention in the admin: county staff record mediation sessions and the agreement, and visits back
(回访), each through a form that calls the service (reached from the case queue's actions 记录调解 / 记录回访,
or the list's add button with the case number); they read the respondents' answers and the complainants'
satisfaction ratings. Rows are read-only once written: a session or a visit is history."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin
from core.errors import DomainError
from core.forms import apply_domain_error

from .. import services
from ..choices import MediationOutcome, VisitMethod
from ..models import AnswerLine, Case, MediationRecord, RespondentAnswer, SatisfactionRating, VisitBack
from ..permissions import can_handle


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _case_from(request, number: str):
    return Case.objects.visible_to(request.user).filter(number=(number or "").strip().upper()).first()


class CaseNumberForm(forms.Form):
    case_number = forms.CharField(label=gettext_lazy("案件编号"), max_length=20)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.case = None

    def clean_case_number(self):
        case = _case_from(self.request, self.cleaned_data["case_number"])
        if case is None or not can_handle(self.request.user, case):
            raise forms.ValidationError(_("没有找到本辖区的这件案件。"))
        self.case = case
        return case.number


class MediationForm(CaseNumberForm):
    held_on = forms.DateField(
        label=gettext_lazy("调解日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    participants = forms.CharField(
        label=gettext_lazy("参加人员"),
        max_length=300,
        help_text=gettext_lazy("例：申请人、被申请人代表、调解员"),
    )
    outcome = forms.ChoiceField(label=gettext_lazy("结果"), choices=MediationOutcome.choices)
    notes = forms.CharField(
        label=gettext_lazy("调解情况"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    terms = forms.CharField(
        label=gettext_lazy("协议内容（达成协议时填写）"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "投诉人要求保密身份的，协议内容中不要写投诉人姓名和电话：被投诉方能看到协议内容。"
        ),
    )
    agreed_amount = forms.DecimalField(
        label=gettext_lazy("协议支付金额（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    pay_by = forms.DateField(
        label=gettext_lazy("支付期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    work_order = forms.ModelChoiceField(
        label=gettext_lazy("通过用工单支付（投诉人在被投诉方处的未结算用工单）"),
        queryset=services.agreement_work_orders(Case()),
        required=False,
        help_text=gettext_lazy("选择后，用工方通过平台的劳务费支付通道付款；金额须等于用工单应付金额。"),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        number = (self.data.get("case_number") if self.is_bound else None) or (case.number if case else "")
        found = _case_from(self.request, number) if number else None
        if found is not None:
            self.fields["work_order"].queryset = services.agreement_work_orders(found)
            if found.work_order_id:  # the order the complaint names is the default
                self.initial.setdefault("work_order", found.work_order_id)
            self.fields["work_order"].label_from_instance = lambda o: (
                _("%(title)s · %(date)s · 应付 %(amount)s 元")
                % {"title": o.posting.title, "date": f"{o.work_date:%Y-%m-%d}", "amount": o.amount}
            )


class VisitForm(CaseNumberForm):
    visited_on = forms.DateField(
        label=gettext_lazy("回访日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    method = forms.ChoiceField(label=gettext_lazy("回访方式"), choices=VisitMethod.choices)
    notes = forms.CharField(
        label=gettext_lazy("回访情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ServiceFormAdmin(ReadOnlyAdmin):
    """The add page is a form that calls the service (the admin's own model form would write the row)."""

    form_class: type[forms.Form] = forms.Form
    form_title = ""

    def has_add_permission(self, request):
        return request.user.has_perm("disputes.change_case")

    def call_service(self, request, form):  # pragma: no cover - overridden
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        case = _case_from(request, request.GET.get("case", "")) if request.GET.get("case") else None
        initial = {"case_number": case.number} if case else {}
        form = self.form_class(request.POST or None, request=request, initial=initial, **self._extra(case))
        if request.method == "POST" and form.is_valid():
            try:
                self.call_service(request, form)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已记录。"))
                return redirect(reverse("admin:disputes_case_change", args=[form.case.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.form_title,
            "form": form,
            "case": case,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/disputes/service_form.html", context, status=status)

    def _extra(self, case):
        return {}


@admin.register(MediationRecord)
class MediationRecordAdmin(ServiceFormAdmin):
    form_class = MediationForm
    form_title = gettext_lazy("记录调解")
    list_display = (
        "case",
        "held_on",
        "outcome",
        "agreed_amount",
        "pay_by",
        "payment",
        "receipt_confirmed_at",
    )
    list_filter = ("outcome",)
    search_fields = ("case__number",)
    list_select_related = ("case", "payment")
    date_hierarchy = "held_on"

    def _extra(self, case):
        return {"case": case}

    def call_service(self, request, form):
        data = form.cleaned_data
        return services.mediation_record(
            case=form.case,
            actor=request.user,
            held_on=data["held_on"],
            participants=data["participants"],
            outcome=data["outcome"],
            notes=data.get("notes", ""),
            agreed_amount=data.get("agreed_amount"),
            pay_by=data.get("pay_by"),
            terms=data.get("terms", ""),
            work_order=data.get("work_order"),
            request=request,
        )


@admin.register(VisitBack)
class VisitBackAdmin(ServiceFormAdmin):
    form_class = VisitForm
    form_title = gettext_lazy("记录回访")
    list_display = ("case", "visited_on", "method", "recorded_by")
    list_filter = ("method",)
    search_fields = ("case__number",)
    list_select_related = ("case", "recorded_by")

    def call_service(self, request, form):
        data = form.cleaned_data
        return services.visit_back_record(
            case=form.case,
            actor=request.user,
            visited_on=data["visited_on"],
            method=data["method"],
            notes=data["notes"],
            request=request,
        )


class AnswerLineInline(admin.TabularInline):
    model = AnswerLine
    extra = 0
    can_delete = False
    fields = ("claim", "position", "accepted_amount")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RespondentAnswer)
class RespondentAnswerAdmin(ReadOnlyAdmin):
    list_display = ("case", "answered_at", "answered_by")
    search_fields = ("case__number",)
    list_select_related = ("case", "answered_by")
    inlines = [AnswerLineInline]


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(ReadOnlyAdmin):
    """The complainants' ratings, with the average and count of what is listed."""

    list_display = ("case", "stars", "comment", "rated_at")
    list_filter = ("stars",)
    search_fields = ("case__number",)
    list_select_related = ("case",)
    date_hierarchy = "rated_at"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            summary = cl.queryset.aggregate(avg=Avg("stars"), n=Count("id"))
            response.context_data["rating_summary"] = summary
            if summary["n"]:
                messages.info(
                    request,
                    _("共 %(n)s 条评价，平均 %(avg).1f 分。") % {"n": summary["n"], "avg": summary["avg"]},
                )
        return response


def _one_case(modeladmin, request, queryset, target: str):
    if queryset.count() != 1:
        modeladmin.message_user(request, _("请只选择一件案件。"), messages.ERROR)
        return None
    case = queryset.first()
    return redirect(f"{reverse(target)}?case={case.number}")


@admin.action(description=gettext_lazy("记录调解（选一件）"), permissions=["change"])
def record_mediation(modeladmin, request, queryset):
    return _one_case(modeladmin, request, queryset, "admin:disputes_mediationrecord_add")


@admin.action(description=gettext_lazy("记录回访（选一件已办结的）"), permissions=["change"])
def record_visit_back(modeladmin, request, queryset):
    return _one_case(modeladmin, request, queryset, "admin:disputes_visitback_add")


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AnswerInline(_ReadOnlyInline):
    model = RespondentAnswer
    fields = ("answered_at", "account")
    readonly_fields = fields


class MediationInline(_ReadOnlyInline):
    model = MediationRecord
    fields = ("held_on", "outcome", "agreed_amount", "pay_by", "payment", "receipt_confirmed_at")
    readonly_fields = fields


class VisitInline(_ReadOnlyInline):
    model = VisitBack
    fields = ("visited_on", "method", "notes")
    readonly_fields = fields


class RatingInline(_ReadOnlyInline):
    model = SatisfactionRating
    fields = ("stars", "comment", "rated_at")
    readonly_fields = fields


# shown on the case's admin page (disputes/admin/cases.py), after its own inlines
CASE_INLINES = [AnswerInline, MediationInline, VisitInline, RatingInline]
