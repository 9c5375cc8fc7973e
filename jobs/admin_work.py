"""Work orders in the admin, scoped by county: every workflow field read-only; the transitions staff may
take here (cancel, no-show) are actions that call jobs.work's services. Events and hours corrections are
shown inline, read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin
from core.errors import DomainError

from . import work
from .models import HoursCorrection, WorkOrder, WorkOrderEvent


class WorkOrderEventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "from_status", "to_status", "actor", "on_behalf_of", "reason")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HoursCorrectionInline(admin.TabularInline):
    model = HoursCorrection
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "at",
        "hours_before",
        "hours_after",
        "pieces_before",
        "pieces_after",
        "reason",
        "by",
    )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ScopedAdmin):
    list_display = (
        "id",
        "posting",
        "worker",
        "work_date",
        "status",
        "hours_worked",
        "amount",
        "auto_approved",
    )
    list_filter = ("status", "check_in_method", "auto_approved", "cancelled_by", "posting__scope_unit")
    search_fields = ("posting__title",)
    date_hierarchy = "work_date"
    list_select_related = ("posting", "worker")
    raw_id_fields = ("application", "posting", "worker")
    workflow_fields = (
        "application",
        "posting",
        "worker",
        "work_date",
        "starts_at",
        "ends_at",
        "status",
        "confirmed_at",
        "reminded_at",
        "checked_in_at",
        "check_in_method",
        "check_in_lat",
        "check_in_lng",
        "check_in_distance_m",
        "checked_out_at",
        "check_out_method",
        "acted_by",
        "hours_worked",
        "pieces",
        "amount",
        "daily_wage",
        "approval_deadline",
        "approved_at",
        "approved_by",
        "auto_approved",
        "settle_deadline",
        "settled_at",
        "cancelled_by",
        "cancel_reason",
        "cancel_notice_hours",
        "qr_token",
    )
    exclude = ("qr_token",)
    inlines = [HoursCorrectionInline, WorkOrderEventInline]
    actions = [*ScopedAdmin.actions, "cancel_orders", "mark_no_show"]

    def has_add_permission(self, request):
        return False  # work orders come from accepted applications

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, service, done):
        count = 0
        for order in queryset:
            try:
                service(order=order, actor=request.user, reason=_("工作人员在管理后台操作"), request=request)
                count += 1
            except DomainError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.ERROR)
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("取消所选用工单（工作人员）"), permissions=["change"])
    def cancel_orders(self, request, queryset):
        self._each(request, queryset, work.work_order_cancel, _("已取消%(n)s张用工单。"))

    @admin.action(description=gettext_lazy("记为未到岗"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._each(request, queryset, work.work_order_mark_no_show, _("已将%(n)s张用工单记为未到岗。"))
