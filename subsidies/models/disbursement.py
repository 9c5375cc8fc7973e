"""Disbursement (ADR 0035): the account a person is paid into, the batches a disbursing officer sends to the
bank, the payments in them (one live payment per application, each with an idempotency key, re-issued as a
new attempt when the bank did not pay), and the long runs — generating a batch, importing the bank's result
— with their progress."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core import masking
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow

from ..choices import (
    ACTIVE_IMPORT_STATUSES,
    BATCH_TRANSITIONS,
    IMPORT_TRANSITIONS,
    LIVE_PAYMENT_STATUSES,
    PAYMENT_TRANSITIONS,
    AccountKind,
    BatchStatus,
    ImportStatus,
    PaymentStatus,
    RunKind,
)
from .applications import Application
from .programs import MONEY, ProgramType

TOTAL = {"max_digits": 14, "decimal_places": 2}
account_digits = RegexValidator(r"^\d{8,32}$", _("账号应为 8 到 32 位数字。"))


class PayeeAccountQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)


class PayeeAccount(TimeStampedModel):
    """The account a person's subsidies are paid into — the social security card's financial account or a
    bank card in their own name — entered by the person on their page or by counter staff for them. Masked
    everywhere; the full number only through the audited reveal. A payment snapshots it when created."""

    scope_field = "person__scope_unit"
    personal_fields = {"account_number": masking.BANK_ACCOUNT}

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="subsidy_payee_account",
    )
    kind = models.CharField(_("账户类型"), max_length=10, choices=AccountKind.choices)
    bank_name = models.CharField(_("开户银行"), max_length=60)
    account_number = models.CharField(_("账号"), max_length=32, validators=[account_digits])
    holder_name = models.CharField(_("户名"), max_length=64)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assisted = models.BooleanField(_("窗口代办"), default=False)

    objects = PayeeAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴收款账户")
        verbose_name_plural = _("补贴收款账户")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="payeeaccount_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_account_number}"

    @property
    def masked_account_number(self) -> str:
        return masking.mask_bank_account(self.account_number)


class DisbursementBatchQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return None


class DisbursementBatch(TimeStampedModel):
    """A batch of payments of one program in one county that a disbursing officer sends to the bank: drafted,
    filled with the approved applications not yet in a live payment, exported as the bank's file, then the
    bank's result imported. Its totals are kept on the row (counted again at each step)."""

    scope_field = "scope_unit"

    number = models.CharField(_("批次号"), max_length=24, unique=True)
    program_type = models.ForeignKey(
        ProgramType, verbose_name=_("补贴项目"), on_delete=models.PROTECT, related_name="batches"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发放经办人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    payment_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_amount = models.DecimalField(_("总金额（元）"), **TOTAL, default=0)
    paid_count = models.PositiveIntegerField(_("到账笔数"), default=0)
    paid_amount = models.DecimalField(_("到账金额（元）"), **TOTAL, default=0)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)
    returned_count = models.PositiveIntegerField(_("退回笔数"), default=0)
    exported_at = models.DateTimeField(_("生成银行文件时间"), null=True, blank=True)
    export_count = models.PositiveSmallIntegerField(_("银行文件下载次数"), default=0)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = DisbursementBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴发放批次")
        verbose_name_plural = _("补贴发放批次")
        ordering = ["-created_at", "-id"]
        permissions = [("disburse", _("可经办补贴发放"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="disbursementbatch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DisbursementBatchEvent(TransitionEvent):
    subject_field = "batch"

    batch = models.ForeignKey(
        DisbursementBatch, verbose_name=_("发放批次"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=BatchStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=BatchStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("批次状态记录")
        verbose_name_plural = _("批次状态记录")


BATCH_WORKFLOW = Workflow(
    model=DisbursementBatch, table=BATCH_TRANSITIONS, event_model=DisbursementBatchEvent, subject="batch"
)


class PaymentQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)

    def live(self):
        return self.filter(status__in=LIVE_PAYMENT_STATUSES)


class Payment(TimeStampedModel):
    """One payment of an approved application in a batch: the amount, the payee account as it was when the
    payment was made (masked for every reader; the full number sealed, for the bank's file only), and what
    the bank did. ``idempotency_key`` (application and attempt) is unique, and an application has at most
    one live payment (pending, exported or paid), so a re-run, a retried task or a double click never pays
    twice; a failed or returned payment is re-issued as the next attempt."""

    scope_field = "batch__scope_unit"

    batch = models.ForeignKey(
        DisbursementBatch, verbose_name=_("发放批次"), on_delete=models.PROTECT, related_name="payments"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("补贴申请"), on_delete=models.PROTECT, related_name="payments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收款人"), on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.PositiveSmallIntegerField(_("第几次发放"), default=1)
    reissue_of = models.OneToOneField(
        "self",
        verbose_name=_("重新发放自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissued_as",
    )
    idempotency_key = models.CharField(_("业务参考号"), max_length=40, unique=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY, validators=[MinValueValidator(0)])
    status = models.CharField(
        _("状态"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    # the account as it was when the payment was made
    account_kind = models.CharField(_("账户类型"), max_length=10, choices=AccountKind.choices)
    bank_name = models.CharField(_("开户银行"), max_length=60)
    holder_name = models.CharField(_("户名"), max_length=64)
    account_masked = models.CharField(_("账号"), max_length=32)
    # the full number, sealed (subsidies.vault): read only to write the bank's payment file
    account_sealed = models.TextField(_("账号（密文，仅用于银行文件）"), editable=False)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)
    failure_reason = models.CharField(_("失败或退回原因"), max_length=200, blank=True)
    result_at = models.DateTimeField(_("银行处理结果时间"), null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴发放明细")
        verbose_name_plural = _("补贴发放明细")
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="subsidies_payment_person")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="subsidies_payment_status_valid"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=LIVE_PAYMENT_STATUSES),
                name="subsidies_payment_one_live",
            ),
            models.UniqueConstraint(fields=["application", "attempt"], name="subsidies_payment_attempt"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidies_payment_amount"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key

    @staticmethod
    def key_for(application_id: int, attempt: int) -> str:
        """The idempotency key (and the bank's reference) of an application's ``attempt``-th payment."""
        return f"SUB-{application_id}-{attempt}"


class PaymentEvent(TransitionEvent):
    subject_field = "payment"

    payment = models.ForeignKey(
        Payment, verbose_name=_("发放明细"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=PaymentStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=PaymentStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("发放明细状态记录")
        verbose_name_plural = _("发放明细状态记录")


PAYMENT_WORKFLOW = Workflow(
    model=Payment, table=PAYMENT_TRANSITIONS, event_model=PaymentEvent, subject="payment"
)


class DisbursementRunQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return None


class DisbursementRun(TimeStampedModel):
    """One long operation on a batch — filling it with payments, or importing the bank's result file — run as
    a task, with its progress (rows done of rows, problem rows so far) and its per-row report, as the
    contribution import does. One run per batch at a time (``lane``)."""

    scope_field = "batch__scope_unit"

    batch = models.ForeignKey(
        DisbursementBatch, verbose_name=_("发放批次"), on_delete=models.CASCADE, related_name="runs"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=RunKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    lane = models.CharField(_("通道"), max_length=40, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    # the bank's result file (it holds account numbers): private storage, which no URL serves
    file = models.FileField(
        _("文件"), upload_to="subsidies/bank-results/%Y/%m/", storage=private_storage, blank=True
    )
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    errors = models.PositiveIntegerField(_("问题行数"), default=0)
    counts = models.JSONField(_("结果统计"), default=dict, blank=True)
    report = models.JSONField(_("逐行结果"), default=list, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = DisbursementRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("发放任务")
        verbose_name_plural = _("发放任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="disbursementrun_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=RunKind.values), name="disbursementrun_kind_valid"),
            models.UniqueConstraint(
                fields=["lane"],
                condition=Q(status__in=ACTIVE_IMPORT_STATUSES),
                name="disbursementrun_one_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_kind_display()} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_IMPORT_STATUSES


class DisbursementRunEvent(TransitionEvent):
    subject_field = "run"

    run = models.ForeignKey(
        DisbursementRun, verbose_name=_("发放任务"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=ImportStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ImportStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("发放任务状态记录")
        verbose_name_plural = _("发放任务状态记录")


RUN_WORKFLOW = Workflow(
    model=DisbursementRun, table=IMPORT_TRANSITIONS, event_model=DisbursementRunEvent, subject="run"
)
