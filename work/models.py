"""Work done and paid: work orders (confirm, check in and out, hours and corrections, approval), payments
through the gateways with their callbacks, wage-arrears alerts and ratings both ways with their appeals —
the platform's record of work and pay that wage guidance, disputes and subsidies stand on."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import masking
from core.models import TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from jobs.models import Application, Posting

from .choices import (
    APPEAL_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    WORK_ORDER_TRANSITIONS,
    AppealOutcome,
    CancelledBy,
    CheckMethod,
    PaymentBackend,
    PaymentMethod,
    PaymentStatus,
    RatingDirection,
    RefundStatus,
    WorkOrderStatus,
)

MONEY = {"max_digits": 10, "decimal_places": 2}


def new_qr_token() -> str:
    return secrets.token_urlsafe(16)


class WorkOrderQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(worker=user) | Q(posting__employer__user=user)


class WorkOrder(TimeStampedModel):
    """One worker's work on one date of a posting, from an accepted application: confirmed, checked in and
    out, hours approved, paid. The platform's record of work and pay that wage guidance, disputes and
    subsidies stand on."""

    scope_field = "posting__scope_unit"

    application = models.ForeignKey(
        Application, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="work_orders"
    )
    posting = models.ForeignKey(
        Posting, verbose_name=_("招聘信息"), on_delete=models.PROTECT, related_name="work_orders"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    work_date = models.DateField(_("工作日期"), db_index=True)
    starts_at = models.DateTimeField(_("计划开始"))
    ends_at = models.DateTimeField(_("计划结束"))
    status = models.CharField(
        _("状态"), max_length=16, choices=WorkOrderStatus.choices, default=WorkOrderStatus.SCHEDULED
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    check_in_method = models.CharField(_("签到方式"), max_length=12, choices=CheckMethod.choices, blank=True)
    check_in_lat = models.FloatField(_("签到纬度"), null=True, blank=True)
    check_in_lng = models.FloatField(_("签到经度"), null=True, blank=True)
    check_in_distance_m = models.PositiveIntegerField(_("签到距离（米）"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    check_out_method = models.CharField(_("签退方式"), max_length=12, choices=CheckMethod.choices, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代签人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hours_worked = models.DecimalField(
        _("工时（小时）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    pieces = models.DecimalField(_("计件数量"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("应付金额"), **MONEY, null=True, blank=True)
    daily_wage = models.DecimalField(_("折合日工资"), **MONEY, null=True, blank=True)
    approval_deadline = models.DateTimeField(_("确认截止"), null=True, blank=True, db_index=True)
    approved_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    auto_approved = models.BooleanField(_("超时自动确认"), default=False)
    settle_deadline = models.DateTimeField(_("结算截止"), null=True, blank=True, db_index=True)
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True)
    cancelled_by = models.CharField(_("取消方"), max_length=12, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    cancel_notice_hours = models.DecimalField(
        _("提前取消（小时）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    qr_token = models.CharField(_("签到码"), max_length=32, default=new_qr_token, unique=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("用工单")
        verbose_name_plural = _("用工单")
        ordering = ["-work_date", "-id"]
        indexes = [
            models.Index(fields=["status", "work_date"], name="workorder_status_date"),
            models.Index(fields=["worker", "status"], name="workorder_worker_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["application", "work_date"], name="workorder_unique_day"),
            models.CheckConstraint(
                condition=Q(status__in=WorkOrderStatus.values), name="workorder_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(hours_worked__isnull=True) | Q(hours_worked__gte=0, hours_worked__lte=24),
                name="workorder_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posting} · {self.work_date}"


class WorkOrderEvent(TransitionEvent):
    subject_field = "work_order"

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("用工单"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=WorkOrderStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=WorkOrderStatus.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("用工单状态记录")
        verbose_name_plural = _("用工单状态记录")


class HoursCorrection(models.Model):
    """An employer's correction of hours (or pieces) with its reason; the worker sees every one."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("用工单"), on_delete=models.CASCADE, related_name="corrections"
    )
    hours_before = models.DecimalField(_("修改前工时"), max_digits=5, decimal_places=2, null=True, blank=True)
    hours_after = models.DecimalField(_("修改后工时"), max_digits=5, decimal_places=2, null=True, blank=True)
    pieces_before = models.DecimalField(
        _("修改前件数"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    pieces_after = models.DecimalField(
        _("修改后件数"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("原因"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工时更正")
        verbose_name_plural = _("工时更正")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.work_order}: {self.hours_before} → {self.hours_after}"


class PaymentQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(work_order__worker=user) | Q(work_order__posting__employer__user=user)


class Payment(TimeStampedModel):
    """One attempt to pay a work order through a gateway backend. The idempotency key is unique: a replayed
    request never makes a second payment."""

    scope_field = "work_order__posting__scope_unit"
    personal_fields = {"payee_account": masking.BANK_ACCOUNT}

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("用工单"), on_delete=models.PROTECT, related_name="payments"
    )
    backend = models.CharField(_("支付通道"), max_length=12, choices=PaymentBackend.choices)
    method = models.CharField(_("支付方式"), max_length=12, choices=PaymentMethod.choices)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, unique=True)
    amount = models.DecimalField(_("金额"), **MONEY, validators=[MinValueValidator(0)])
    status = models.CharField(
        _("状态"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    provider_ref = models.CharField(_("通道流水号"), max_length=64, blank=True, db_index=True)
    payee_account = models.CharField(_("收款账号"), max_length=32, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    succeeded_at = models.DateTimeField(_("成功时间"), null=True, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=300, blank=True)
    worker_confirmed_at = models.DateTimeField(_("劳动者确认收款"), null=True, blank=True)
    # Where the payer pays an online payment: WeChat Pay's Native code_url (shown as a QR code) or H5 URL,
    # Alipay's signed wap/page pay URL. Set by the gateway's start; empty for offline and sandbox.
    checkout_url = models.TextField(_("支付链接"), blank=True)
    provider_txn = models.CharField(_("通道交易号"), max_length=64, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("劳务费支付")
        verbose_name_plural = _("劳务费支付")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
            # at most one successful (or still pending) payment per work order
            models.UniqueConstraint(
                fields=["work_order"],
                condition=Q(status__in=["pending", "succeeded"]),
                name="payment_one_live_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_order} ¥{self.amount} {self.get_status_display()}"


class PaymentEvent(TransitionEvent):
    subject_field = "payment"

    payment = models.ForeignKey(
        Payment, verbose_name=_("支付"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=PaymentStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=PaymentStatus.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("支付状态记录")
        verbose_name_plural = _("支付状态记录")


class RefundQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(payment__work_order__worker=user) | Q(payment__work_order__posting__employer__user=user)


class Refund(TimeStampedModel):
    """A refund of a succeeded online payment, whole amount, through the payment's gateway. Its own
    idempotency key (unique) names the provider's refund (``out_refund_no``); at most one pending or
    succeeded refund per payment. When it succeeds the payment is refunded and the work order is owed
    again (settled → approved)."""

    scope_field = "payment__work_order__posting__scope_unit"

    payment = models.ForeignKey(
        Payment, verbose_name=_("支付"), on_delete=models.PROTECT, related_name="refunds"
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=64, unique=True)
    amount = models.DecimalField(_("金额"), **MONEY, validators=[MinValueValidator(0)])
    reason = models.CharField(_("退款原因"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_ref = models.CharField(_("通道退款单号"), max_length=64, blank=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    succeeded_at = models.DateTimeField(_("退款成功时间"), null=True, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=300, blank=True)

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RefundStatus.values), name="refund_status_valid"),
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(status__in=["pending", "succeeded"]),
                name="refund_one_live_per_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment} → ¥{self.amount} {self.get_status_display()}"


class RefundEvent(TransitionEvent):
    subject_field = "refund"

    refund = models.ForeignKey(
        Refund, verbose_name=_("退款"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=RefundStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=RefundStatus.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("退款状态记录")
        verbose_name_plural = _("退款状态记录")


class PaymentCallback(models.Model):
    """Every callback a provider sent, valid or not; a provider event id is processed once."""

    backend = models.CharField(_("支付通道"), max_length=12, choices=PaymentBackend.choices)
    event_id = models.CharField(_("通知编号"), max_length=64)
    payload = models.TextField(_("内容"))
    signature_valid = models.BooleanField(_("签名有效"))
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("支付"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
    )
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)

    class Meta:
        verbose_name = _("支付回调")
        verbose_name_plural = _("支付回调")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["backend", "event_id"],
                condition=Q(signature_valid=True),
                name="callback_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.backend} {self.event_id}"


class RejectedCallbackCount(models.Model):
    """How many calls to a provider's callback endpoint failed their signature, per backend and day: counted,
    never stored (the endpoint is public; junk must not fill the database)."""

    backend = models.CharField(_("支付通道"), max_length=12)
    day = models.DateField(_("日期"))
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("无效支付回调计数")
        verbose_name_plural = _("无效支付回调计数")
        ordering = ["-day", "backend"]
        constraints = [models.UniqueConstraint(fields=["backend", "day"], name="rejected_callback_day")]

    def __str__(self) -> str:
        return f"{self.backend} {self.day} {self.count}"

    @classmethod
    def record(cls, *, backend: str) -> None:
        row, _created = cls.objects.get_or_create(backend=backend[:12], day=timezone.localdate())
        cls.objects.filter(pk=row.pk).update(count=models.F("count") + 1)


class ArrearsAlertQuerySet(ScopedQuerySet):
    pass


class ArrearsAlert(models.Model):
    """A wage-arrears alert: a work order not settled in time. One per work order; the disputes app turns
    it into a case."""

    scope_field = "work_order__posting__scope_unit"

    work_order = models.OneToOneField(
        WorkOrder, verbose_name=_("用工单"), on_delete=models.PROTECT, related_name="arrears_alert"
    )
    amount = models.DecimalField(_("欠付金额"), **MONEY)
    raised_at = models.DateTimeField(_("预警时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    objects = ArrearsAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("欠薪预警")
        verbose_name_plural = _("欠薪预警")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.work_order} ¥{self.amount}"


class RatingQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(rater=user) | Q(ratee=user)


class Rating(models.Model):
    """A rating (1–5 with tags) by one party of a work order of the other, after completion. The rated
    party may appeal once to staff."""

    scope_field = "work_order__posting__scope_unit"

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("用工单"), on_delete=models.PROTECT, related_name="ratings"
    )
    direction = models.CharField(_("方向"), max_length=24, choices=RatingDirection.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="ratings_given",
    )
    ratee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被评价人"),
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    stars = models.PositiveSmallIntegerField(
        _("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    tags = models.JSONField(_("标签"), default=list, blank=True)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    appeal_reason = models.CharField(_("申诉理由"), max_length=300, blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_outcome = models.CharField(
        _("申诉结果"), max_length=12, choices=AppealOutcome.choices, blank=True, default=AppealOutcome.NONE
    )
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appeal_decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "rater"], name="rating_once_per_party"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_range"),
        ]

    def __str__(self) -> str:
        return f"{self.work_order} {self.stars}★"

    @property
    def counts(self) -> bool:
        """A rating removed on appeal no longer counts."""
        return self.appeal_outcome != AppealOutcome.REMOVED


class RatingEvent(TransitionEvent):
    """One step of a rating's appeal (appealed, upheld, removed)."""

    subject_field = "rating"

    rating = models.ForeignKey(
        Rating, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=AppealOutcome.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=AppealOutcome.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("评价申诉记录")
        verbose_name_plural = _("评价申诉记录")


WORK_ORDER_WORKFLOW = Workflow(
    model=WorkOrder, table=WORK_ORDER_TRANSITIONS, event_model=WorkOrderEvent, subject="work_order"
)
PAYMENT_WORKFLOW = Workflow(
    model=Payment, table=PAYMENT_TRANSITIONS, event_model=PaymentEvent, subject="payment"
)
REFUND_WORKFLOW = Workflow(model=Refund, table=REFUND_TRANSITIONS, event_model=RefundEvent, subject="refund")
APPEAL_WORKFLOW = Workflow(
    model=Rating, table=APPEAL_TRANSITIONS, event_model=RatingEvent, subject="rating", field="appeal_outcome"
)
