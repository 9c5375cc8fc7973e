"""County staff handle cases in the admin: the queue by nearest deadline (on time / due soon / overdue), the
workflow steps as actions that call the services, the routing and clock rule tables (editable, effective-dated).
Workflow fields, clocks and the routing result are read-only; complaints come from the pages and the API."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin
from core.errors import DomainError
from core.scope import scope_of

from .. import selectors, services
from ..choices import DeadlineState
from ..models import Case, CaseClock, CaseEvent, ClaimLine, ClockRule, Evidence, RoutingRule
from ..views.personal import complainant_panel
from .intervention import CASE_INLINES, record_mediation, record_visit_back
from .referral import BundleInline, ReferralInline, build_bundle

_reader: ContextVar = ContextVar("disputes_case_admin_reader", default=None)


class CityRuleAdmin(ScopedAdmin):
    """A city-wide rule table: county staff read it, city staff edit it (every change audited)."""

    def _city(self, request) -> bool:
        return scope_of(request.user).all

    def has_add_permission(self, request):
        return self._city(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._city(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._city(request) and super().has_delete_permission(request, obj)


@admin.register(RoutingRule)
class RoutingRuleAdmin(CityRuleAdmin):
    list_display = (
        "position",
        "name",
        "claim_type",
        "relationship_type",
        "min_amount",
        "max_amount",
        "scope_unit",
        "market",
        "queue",
        "is_active",
    )
    list_display_links = ("name",)
    list_editable = ("position", "is_active")
    list_filter = ("queue", "is_active")
    raw_id_fields = ("market",)


@admin.register(ClockRule)
class ClockRuleAdmin(CityRuleAdmin):
    list_display = ("kind", "effective_from", "day_kind", "days", "max_extension_days", "basis")
    list_filter = ("kind",)

    def get_readonly_fields(self, request, obj=None):
        # a rule in use is history: a new regulation is a new row with its own effective date
        if obj is not None and CaseClock.objects.filter(rule=obj).exists():
            return [f.name for f in ClockRule._meta.fields]
        return super().get_readonly_fields(request, obj)


class ClaimInline(admin.TabularInline):
    model = ClaimLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in ClaimLine._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


class ClockInline(admin.TabularInline):
    model = CaseClock
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "rule_version",
        "started_at",
        "due_on",
        "extended_due_on",
        "stopped_at",
        "escalated_warn_at",
        "escalated_overdue_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = ("kind", "description", "size", "sha256", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CaseEventInline(EventInline):
    model = CaseEvent


class DeadlineFilter(admin.SimpleListFilter):
    title = gettext_lazy("办理时限")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return DeadlineState.choices

    def queryset(self, request, queryset):
        if self.value() in DeadlineState.values:
            # the queue's states: open cases only (a closed case is in no deadline state)
            return queryset.open().filter(selectors.deadline_q(self.value(), timezone.now()))
        return queryset


class CaseActionForm(helpers.ActionForm):
    """The action bar's text (the reason, or the resolution the complainant reads) and the days of an
    extension, typed beside the action."""

    note = forms.CharField(label=gettext_lazy("理由或处理结果"), required=False, max_length=4000)
    days = forms.IntegerField(label=gettext_lazy("延长天数"), required=False, min_value=1, max_value=365)


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ("number", "scope_unit", "channel", "queue", "status", "received_at", "nearest_deadline")
    list_filter = (DeadlineFilter, "status", "queue", "channel", "relationship_type", "scope_unit")
    search_fields = ("number", "respondent_name", "external_ticket_id")
    date_hierarchy = "received_at"
    workflow_fields = ("status",)
    readonly_fields = [
        f.name
        for f in Case._meta.fields
        if f.name not in ("respondent", "respondent_name", "respondent_contact")
    ]
    raw_id_fields = ("respondent",)
    readonly_fields = [*readonly_fields, "complainant_contact"]
    inlines = [
        ClaimInline,
        ClockInline,
        EvidenceInline,
        BundleInline,
        ReferralInline,
        CaseEventInline,
        *CASE_INLINES,
    ]
    action_form = CaseActionForm
    actions = [
        *ScopedAdmin.actions,
        "accept",
        "not_accept",
        "mediate",
        build_bundle,
        "refer_inspection",
        "refer_arbitration",
        "resolve",
        "extend",
        "close",
        record_mediation,
        record_visit_back,
    ]

    def has_add_permission(self, request):
        return False  # complaints come from the pages and the API, with their routing and clocks

    @admin.display(description=gettext_lazy("投诉人手机号与身份证号"))
    def complainant_contact(self, obj):
        """Masked, the case's own or the complainant's account's (an online complaint keeps them there); the
        link reveals one value with a reason, audited (``disputes.views.personal``, ADR 0032)."""
        request = _reader.get()
        panel = complainant_panel(request, obj) if request is not None else None
        rows = (panel or {}).get("rows") or []
        if not rows:
            return "—"
        return format_html_join(
            format_html("<br>"),
            "{}{}{} {}",
            (
                (
                    row["label"],
                    _("："),
                    row["masked"],
                    format_html('<a class="button" href="{}">{}</a>', row["reveal_url"], _("查看完整"))
                    if row["reveal_url"]
                    else "",
                )
                for row in rows
            ),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        token = _reader.set(request.user)  # the reader decides whether the reveal links show
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # the display runs while the template renders
            return response
        finally:
            _reader.reset(token)

    @admin.display(description=gettext_lazy("最近期限"), ordering="next_due_at")
    def nearest_deadline(self, obj):
        if obj.next_due_at is None:
            return "—"
        state = DeadlineState(selectors.deadline_state_of(obj)).label
        # a deadline is 24:00 of its day, the first instant of the next: show the day itself
        due = timezone.localtime(obj.next_due_at) - dt.timedelta(microseconds=1)
        return f"{due:%Y-%m-%d}（{state}）"

    def _each(self, request, queryset, step, **kwargs):
        done = 0
        for case in queryset:
            try:
                step(case=case, actor=request.user, request=request, **kwargs)
                done += 1
            except DomainError as exc:
                messages.error(request, f"{case}: {exc.message}")
        if done:
            messages.success(request, _("已处理 %(n)s 件。") % {"n": done})

    @staticmethod
    def _note(request) -> str:
        return (request.POST.get("note") or "").strip()

    @admin.action(description=gettext_lazy("受理"), permissions=["change"])
    def accept(self, request, queryset):
        self._each(request, queryset, services.case_accept, reason=self._note(request))

    @admin.action(description=gettext_lazy("不予受理（填写理由）"), permissions=["change"])
    def not_accept(self, request, queryset):
        self._each(request, queryset, services.case_not_accept, reason=self._note(request))

    @admin.action(description=gettext_lazy("开始调解"), permissions=["change"])
    def mediate(self, request, queryset):
        self._each(request, queryset, services.case_mediate, reason=self._note(request))

    @admin.action(description=gettext_lazy("转劳动保障监察"), permissions=["change"])
    def refer_inspection(self, request, queryset):
        self._each(request, queryset, services.case_refer_inspection, reason=self._note(request))

    @admin.action(description=gettext_lazy("转劳动争议仲裁"), permissions=["change"])
    def refer_arbitration(self, request, queryset):
        self._each(request, queryset, services.case_refer_arbitration, reason=self._note(request))

    @admin.action(description=gettext_lazy("办结（填写处理结果）"), permissions=["change"])
    def resolve(self, request, queryset):
        self._each(request, queryset, services.case_resolve, resolution=self._note(request))

    @admin.action(description=gettext_lazy("延长最近的期限（填写天数和理由）"), permissions=["change"])
    def extend(self, request, queryset):
        """The one extension of each selected case's running clock with the nearest deadline."""
        done = 0
        for case in queryset.prefetch_related("clocks"):
            running = [c for c in case.clocks.all() if c.stopped_at is None]
            if not running:
                messages.error(request, f"{case}: {_('没有正在计算的期限。')}")
                continue
            clock = min(running, key=lambda c: c.current_due_at)
            try:
                services.clock_extend(
                    clock=clock,
                    actor=request.user,
                    days=request.POST.get("days") or 0,
                    reason=self._note(request),
                    request=request,
                )
                done += 1
            except DomainError as exc:
                messages.error(request, f"{case}: {exc.message}")
        if done:
            messages.success(request, _("已处理 %(n)s 件。") % {"n": done})

    @admin.action(description=gettext_lazy("归档（已办结的）"), permissions=["change"])
    def close(self, request, queryset):
        self._each(request, queryset, services.case_close, reason=self._note(request))
