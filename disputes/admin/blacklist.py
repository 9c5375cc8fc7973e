"""The arrears blacklist in the admin (ADR 0026): city staff keep the effective-dated threshold table; county
staff list an employer of their county (a form that calls ``blacklist_list``) and lift a listing early (a form
that calls ``blacklist_lift``), with the listing period and the earliest lifting date in view. Entries are
read-only otherwise; responsible persons are masked."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin
from core.errors import DomainError
from core.scope import scope_of
from jobs.models import EmployerProfile

from .. import services
from ..choices import BlacklistBasis, BlacklistStatus
from ..models import BlacklistEntry, BlacklistPerson, BlacklistThreshold
from ..services.blacklist import can_lift, lift_possible_from
from .cases import CityRuleAdmin

PERSON_SLOTS = 3
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@admin.register(BlacklistThreshold)
class BlacklistThresholdAdmin(CityRuleAdmin):
    list_display = ("province", "effective_from", "amount", "basis")
    list_filter = ("province",)

    def get_readonly_fields(self, request, obj=None):
        # a threshold a decision used is history: a new notice is a new row with its own date
        if obj is not None and BlacklistEntry.objects.filter(threshold=obj).exists():
            return [f.name for f in BlacklistThreshold._meta.fields]
        return super().get_readonly_fields(request, obj)


class PersonInline(admin.TabularInline):
    model = BlacklistPerson
    extra = 0
    can_delete = False
    fields = ("role", "masked_name", "masked_id_number")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("姓名"))
    def masked_name(self, obj):
        return obj.masked_name

    @admin.display(description=gettext_lazy("身份证号"))
    def masked_id_number(self, obj):
        return obj.masked_id_number


class ListForm(forms.Form):
    employer = forms.ModelChoiceField(label=gettext_lazy("用工方"), queryset=EmployerProfile.objects.none())
    basis = forms.ChoiceField(
        label=gettext_lazy("列入依据"), choices=BlacklistBasis.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=gettext_lazy("决定日期"), widget=DATE)
    decision_number = forms.CharField(label=gettext_lazy("列入决定书文号"), max_length=60, required=False)
    payment_order_number = forms.CharField(
        label=gettext_lazy("限期支付文书编号"), max_length=60, required=False
    )
    payment_order_deadline = forms.DateField(
        label=gettext_lazy("限期支付截止日"), required=False, widget=DATE
    )
    amount_unpaid = forms.DecimalField(
        label=gettext_lazy("逾期未支付金额（元）"), max_digits=12, decimal_places=2, required=False
    )
    incident_description = forms.CharField(
        label=gettext_lazy("群体性事件情况"), max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = EmployerProfile.objects.visible_to(user).order_by("display_name")
        self.fields["decided_on"].initial = timezone.localdate()
        for i in range(PERSON_SLOTS):
            required = i == 0
            self.fields[f"person{i}_role"] = forms.CharField(
                label=_("责任人%(n)s 身份") % {"n": i + 1},
                max_length=30,
                required=False,
                initial=_("法定代表人") if i == 0 else "",
            )
            self.fields[f"person{i}_name"] = forms.CharField(
                label=_("责任人%(n)s 姓名") % {"n": i + 1}, max_length=40, required=required
            )
            self.fields[f"person{i}_id_number"] = forms.CharField(
                label=_("责任人%(n)s 身份证号") % {"n": i + 1}, max_length=18, required=False
            )

    def service_data(self) -> dict:
        data = self.cleaned_data
        persons = [
            {
                "role": data.get(f"person{i}_role", ""),
                "name": data.get(f"person{i}_name", ""),
                "id_number": data.get(f"person{i}_id_number", ""),
            }
            for i in range(PERSON_SLOTS)
            if data.get(f"person{i}_name")
        ]
        keys = (
            "employer",
            "basis",
            "decided_on",
            "decision_number",
            "payment_order_number",
            "payment_order_deadline",
            "amount_unpaid",
            "incident_description",
        )
        return {**{k: data.get(k) for k in keys}, "persons": persons}


class LiftForm(forms.Form):
    wages_paid_on = forms.DateField(label=gettext_lazy("拖欠工资全额支付日期"), required=False, widget=DATE)
    promise = forms.FileField(
        label=gettext_lazy("信用修复承诺书（图片或 PDF）"),
        required=False,
        help_text=gettext_lazy("用工方签字盖章的书面信用修复承诺书扫描件或照片"),
    )
    reason = forms.CharField(label=gettext_lazy("移出理由"), max_length=1000, widget=forms.Textarea)


def _field_for(form, name: str):
    if name.startswith("persons."):
        parts = name.split(".")
        if len(parts) == 3:
            name = f"person{parts[1]}_{parts[2]}"
        else:
            return "person0_name"
    return name if name in form.fields else None


def _apply(form, exc: DomainError) -> None:
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for field, errors in exc.fields.items():
        for message in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(_field_for(form, field), str(message))


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return BlacklistStatus.choices

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == BlacklistStatus.LISTED:
            return queryset.in_force(today)
        if self.value() == BlacklistStatus.LIFTED:
            return queryset.filter(lifted_at__isnull=False)
        if self.value() == BlacklistStatus.EXPIRED:
            return queryset.filter(lifted_at__isnull=True, listed_until__lt=today)
        return queryset


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ScopedAdmin):
    list_display = (
        "employer",
        "basis",
        "amount_unpaid",
        "period",
        "status_display",
        "lift_from",
        "lift_link",
    )
    list_filter = (StatusFilter, "basis")
    search_fields = ("employer__display_name", "decision_number", "payment_order_number")
    date_hierarchy = "listed_from"
    readonly_fields = [f.name for f in BlacklistEntry._meta.fields if f.name != "promise"] + [
        "lift_from",
        "lift_link",
    ]
    exclude = ("promise",)
    inlines = [PersonInline]
    actions = [*ScopedAdmin.actions, "lift"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("employer")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not scope_of(request.user).is_empty

    def has_delete_permission(self, request, obj=None):
        return False  # a decision is a record: lifted or expired, never deleted

    @admin.display(description=gettext_lazy("状态"))
    def status_display(self, obj):
        return obj.get_status_display()

    @admin.display(description=gettext_lazy("惩戒期"), ordering="listed_until")
    def period(self, obj):
        return f"{obj.listed_from:%Y-%m-%d} — {obj.listed_until:%Y-%m-%d}"

    @admin.display(description=gettext_lazy("可申请提前移出日期"))
    def lift_from(self, obj):
        return f"{lift_possible_from(obj):%Y-%m-%d}" if obj.pk else "—"

    @admin.display(description=gettext_lazy("提前移出"))
    def lift_link(self, obj):
        if obj.status != BlacklistStatus.LISTED:
            return "—"
        url = reverse("admin:disputes_blacklistentry_lift", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("提前移出"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="disputes_blacklistentry_lift",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Listing is a decision through the service (basis, threshold, 3 years), not a raw row."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ListForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                entry = services.blacklist_list(actor=request.user, request=request, **form.service_data())
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(
                    request,
                    _("已列入失信名单：%(employer)s，%(from)s 至 %(until)s。")
                    % {
                        "employer": entry.employer,
                        "from": f"{entry.listed_from:%Y-%m-%d}",
                        "until": f"{entry.listed_until:%Y-%m-%d}",
                    },
                )
                return redirect("admin:disputes_blacklistentry_change", entry.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": BlacklistEntry._meta,
            "form": form,
            "title": _("列入拖欠农民工工资失信联合惩戒对象名单"),
            "threshold": services.blacklist_threshold_in_force(timezone.localdate()),
        }
        return render(
            request, "admin/disputes/blacklist_list.html", context, status=400 if form.errors else 200
        )

    def lift_view(self, request, pk):
        entry = self.get_queryset(request).filter(pk=pk).first()
        if entry is None:
            raise Http404
        if not can_lift(request.user, entry):
            raise PermissionDenied
        form = LiftForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.blacklist_lift(
                    entry=entry,
                    actor=request.user,
                    wages_paid_on=data.get("wages_paid_on"),
                    promise=data.get("promise"),
                    reason=data["reason"],
                    request=request,
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("已提前移出失信名单，该用工方可以重新发布岗位。"))
                return redirect("admin:disputes_blacklistentry_change", entry.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": BlacklistEntry._meta,
            "original": entry,
            "form": form,
            "lift_from": lift_possible_from(entry),
            "title": _("提前移出失信名单"),
        }
        return render(
            request, "admin/disputes/blacklist_lift.html", context, status=400 if form.errors else 200
        )

    @admin.action(description=gettext_lazy("提前移出（选一条）"), permissions=["change"])
    def lift(self, request, queryset):
        entries = list(queryset[:2])
        if len(entries) != 1:
            messages.error(request, _("请只选择一条记录。"))
            return None
        return redirect("admin:disputes_blacklistentry_lift", entries[0].pk)
