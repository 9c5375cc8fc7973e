"""Staff's view of the catalogue and the facts, and the month's board where counties submit their months and
the city accepts, returns and reopens them (``reports.approvals``). Facts are written only by the compute
and the push: the admin shows them read-only."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin, admin_message_error
from core.errors import DomainError

from . import approvals
from .choices import ApprovalStatus
from .models import Fact, Indicator, PeriodApproval, PeriodApprovalEvent, ReportRun


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "source_app", "method", "additive", "stock", "sort")
    list_filter = ("method", "source_app")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("code", "method")


@admin.register(Fact)
class FactAdmin(ScopedAdmin):
    list_display = ("indicator", "period", "org_unit", "breakdown_key", "breakdown_value", "value", "source")
    list_filter = ("period_kind", "source", "indicator")
    search_fields = ("period",)
    list_select_related = ("indicator", "org_unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PeriodApprovalEventInline(admin.TabularInline):
    model = PeriodApprovalEvent
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class MonthForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("统计月份"))

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        month, choices = today.replace(day=1), []
        for _i in range(24):
            choices.append((f"{month:%Y%m}", f"{month:%Y-%m}"))
            month = (month - dt.timedelta(days=1)).replace(day=1)
        self.fields["period"].choices = choices


@admin.register(PeriodApproval)
class PeriodApprovalAdmin(ScopedAdmin):
    """The month's board (报送与审核) is the door: a county submits its month, the city accepts or returns
    it, accepts the city's row, and reopens with a reason; the changelist is the history."""

    list_display = (
        "period",
        "unit_name",
        "status",
        "submitted_by",
        "submitted_at",
        "accepted_by",
        "accepted_at",
    )
    list_filter = ("status", "period")
    list_select_related = ("org_unit", "submitted_by", "accepted_by")
    readonly_fields = (
        "period",
        "org_unit",
        "status",
        "submitted_by",
        "submitted_at",
        "accepted_by",
        "accepted_at",
        "updated_at",
    )
    inlines = [PeriodApprovalEventInline]

    @admin.display(description=gettext_lazy("统计单位"))
    def unit_name(self, obj):
        return obj.org_unit.name if obj.org_unit_id else _("全市")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("month/", self.admin_site.admin_view(self.month_view), name="reports_periodapproval_month"),
            *super().get_urls(),
        ]

    def month_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y%m")
        form = MonthForm(request.GET or {"period": last_month}, today=today)
        period = form.cleaned_data["period"] if form.is_valid() else last_month
        if request.method == "POST":
            action, unit, reason = (request.POST.get(k, "") for k in ("action", "org_unit", "reason"))
            step = {"submit": approvals.submit, "accept": approvals.accept, "reopen": approvals.reopen}.get(
                action
            )
            try:
                if step is None:
                    raise DomainError(_("未知的操作。"))
                extra = {"reason": reason} if action == "reopen" else {}
                step(period, unit, actor=request.user, request=request, **extra)
            except DomainError as exc:
                admin_message_error(request, exc)
            else:
                messages.success(request, _("已完成。"))
            return redirect(f"{reverse('admin:reports_periodapproval_month')}?period={period}")
        user = request.user
        board = approvals.month_board(period, user=user)
        for entry in board:
            status, city = entry["status"], entry["unit"] is None
            entry["may_submit"] = (
                not city and status == ApprovalStatus.OPEN and user.has_perm(approvals.SUBMIT)
            )
            entry["may_accept"] = user.has_perm(approvals.ACCEPT) and (
                status == ApprovalStatus.SUBMITTED or (city and status == ApprovalStatus.OPEN)
            )
            entry["may_reopen"] = status != ApprovalStatus.OPEN and user.has_perm(approvals.REOPEN)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("月度统计报送与审核"),
            "form": form,
            "period": period,
            "board": board,
        }
        return TemplateResponse(request, "admin/reports/periodapproval/month.html", context)


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Recomputes are started from the dashboard (``reports.runs.run_start``): read-only here."""

    list_display = ("period", "status", "indicators_done", "indicators_total", "started_by", "created_at")
    list_filter = ("status",)
    search_fields = ("period",)
    list_select_related = ("started_by",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
