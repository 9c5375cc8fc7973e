"""Work and pay in the admin, scoped by county; every workflow field read-only, transitions are actions that
call the services. Work orders (cancel, no-show; events and hours corrections inline), payments with their
events, provider callbacks, wage-arrears alerts, and ratings with the appeal decision."""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin, admin_message_error
from core.errors import DomainError
from core.scope import scope_of

from . import services
from .choices import AppealOutcome
from .models import (
    ArrearsAlert,
    HoursCorrection,
    Payment,
    PaymentCallback,
    PaymentEvent,
    Rating,
    RatingEvent,
    Refund,
    RefundEvent,
    RejectedCallbackCount,
    WorkOrder,
    WorkOrderEvent,
)
from .permissions import is_rating_staff


class WorkOrderEventInline(EventInline):
    model = WorkOrderEvent


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
        self._each(request, queryset, services.work_order_cancel, _("已取消%(n)s张用工单。"))

    @admin.action(description=gettext_lazy("记为未到岗"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._each(request, queryset, services.work_order_mark_no_show, _("已将%(n)s张用工单记为未到岗。"))


# --- payments, callbacks, arrears alerts, ratings ---------------------------------------------------------


class PaymentEventInline(EventInline):
    model = PaymentEvent


@admin.register(Payment)
class PaymentAdmin(ScopedAdmin):
    list_display = (
        "work_order",
        "backend",
        "method",
        "amount",
        "status",
        "succeeded_at",
        "worker_confirmed_at",
        "created_at",
    )
    list_filter = ("status", "backend", "method")
    search_fields = ("idempotency_key", "provider_ref")
    list_select_related = ("work_order__posting",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    workflow_fields = (
        "work_order",
        "backend",
        "method",
        "idempotency_key",
        "amount",
        "status",
        "provider_ref",
        "recorded_by",
        "succeeded_at",
        "failure_reason",
        "worker_confirmed_at",
        "provider_txn",
        "checkout_url",
    )
    inlines = [PaymentEventInline]
    actions = [*ScopedAdmin.actions, "refund_payments", "sync_payments"]

    def has_add_permission(self, request):
        return False

    def has_refund_permission(self, request):
        return request.user.has_perm("work.add_refund")

    @admin.action(
        description=gettext_lazy("全额退款（在线支付；用工单恢复为待付款）"), permissions=["refund"]
    )
    def refund_payments(self, request, queryset):
        done = 0
        for payment in queryset:
            try:
                services.payment_refund(
                    payment=payment,
                    actor=request.user,
                    idempotency_key=f"admin:{payment.pk}:{uuid.uuid4().hex}",
                    reason=_("工作人员在管理后台办理退款"),
                    request=request,
                )
                done += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        if done:
            self.message_user(request, _("已提交 %(n)s 笔退款。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("向支付通道查询结果"), permissions=["view"])
    def sync_payments(self, request, queryset):
        for payment in queryset.filter(status="pending"):
            try:
                services.payment_sync(payment=payment, actor=request.user)
            except DomainError as exc:
                admin_message_error(request, exc)
        self.message_user(request, _("已查询。"), messages.SUCCESS)


class RefundEventInline(EventInline):
    model = RefundEvent


@admin.register(Refund)
class RefundAdmin(ScopedAdmin):
    """Refunds of online payments; made by the payment's refund action or the employer's page."""

    list_display = ("payment", "amount", "status", "requested_by", "succeeded_at", "created_at")
    list_filter = ("status",)
    search_fields = ("idempotency_key", "provider_ref")
    list_select_related = ("payment__work_order__posting", "requested_by")
    date_hierarchy = "created_at"
    show_full_result_count = False
    workflow_fields = (
        "payment",
        "idempotency_key",
        "amount",
        "reason",
        "status",
        "provider_ref",
        "requested_by",
        "succeeded_at",
        "failure_reason",
    )
    inlines = [RefundEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentCallback)
class PaymentCallbackAdmin(admin.ModelAdmin):
    """Every provider notification as received. Unlinked ones (bad signature, unknown payment) are city
    staff's to see; county staff see those of their counties' payments."""

    list_display = ("received_at", "backend", "event_id", "signature_valid", "payment")
    list_filter = ("backend", "signature_valid")
    search_fields = ("event_id",)
    date_hierarchy = "received_at"
    show_full_result_count = False
    readonly_fields = ("backend", "event_id", "payload", "signature_valid", "payment", "received_at")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("payment")
        scope = scope_of(request.user)
        if scope.all:
            return qs
        return qs.filter(payment__work_order__posting__scope_unit__in=scope.unit_ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RejectedCallbackCount)
class RejectedCallbackCountAdmin(admin.ModelAdmin):
    """Calls to a callback endpoint whose signature failed, counted per day (city staff watch for abuse)."""

    list_display = ("day", "backend", "count")
    list_filter = ("backend",)
    readonly_fields = ("day", "backend", "count")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArrearsAlert)
class ArrearsAlertAdmin(ScopedAdmin):
    list_display = ("work_order", "county", "amount", "raised_at", "resolved_at")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    list_select_related = ("work_order__posting__scope_unit",)
    date_hierarchy = "raised_at"
    workflow_fields = ("work_order", "amount", "raised_at", "resolved_at")

    @admin.display(description=gettext_lazy("县（市、区）"))
    def county(self, obj):
        return obj.work_order.posting.scope_unit

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RatingEventInline(EventInline):
    model = RatingEvent


@admin.register(Rating)
class RatingAdmin(ScopedAdmin):
    list_display = ("work_order", "direction", "stars", "created_at", "appeal_outcome", "appealed_at")
    list_filter = ("appeal_outcome", "direction", "stars")
    list_select_related = ("work_order__posting",)
    date_hierarchy = "created_at"
    workflow_fields = (
        "work_order",
        "direction",
        "rater",
        "ratee",
        "stars",
        "tags",
        "comment",
        "created_at",
        "appeal_reason",
        "appealed_at",
        "appeal_outcome",
        "appeal_decided_by",
        "appeal_decided_at",
    )
    inlines = [RatingEventInline]
    actions = [*ScopedAdmin.actions, "uphold_appeal", "remove_on_appeal"]

    def has_add_permission(self, request):
        return False

    def has_decide_permission(self, request):
        return is_rating_staff(request.user)

    def _decide(self, request, queryset, outcome):
        done = 0
        for rating in queryset.filter(appeal_outcome=AppealOutcome.PENDING):
            try:
                services.rating_decide_appeal(
                    rating=rating, actor=request.user, outcome=outcome, request=request
                )
                done += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        self.message_user(request, _("已处理 %(n)s 条申诉。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("申诉处理：维持评价"), permissions=["decide"])
    def uphold_appeal(self, request, queryset):
        self._decide(request, queryset, AppealOutcome.UPHELD)

    @admin.action(description=gettext_lazy("申诉处理：撤销评价（不再计入评分）"), permissions=["decide"])
    def remove_on_appeal(self, request, queryset):
        self._decide(request, queryset, AppealOutcome.REMOVED)
