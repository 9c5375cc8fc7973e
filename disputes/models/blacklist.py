"""Wage arrears turned into cases, and the arrears blacklist with its effective-dated threshold (ADR 0026)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core import masking
from core.models import TimeStampedModel
from core.scope import ScopedQuerySet
from jobs.models import EmployerProfile

from ..choices import (
    BlacklistBasis,
    BlacklistStatus,
)
from .cases import Case

# --- wage arrears and the arrears blacklist (ADR 0026) ---------------------------------------------------------


class ArrearsProposal(models.Model):
    """The link between a wage-arrears alert of the work app and the case it proposed to county staff: one
    per alert (the one-to-one is the guarantee that a rerun or a concurrent scan never proposes a second)."""

    alert = models.OneToOneField(
        "work.ArrearsAlert",
        verbose_name=_("欠薪预警"),
        on_delete=models.PROTECT,
        related_name="dispute_proposal",
    )
    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="arrears_proposal"
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("欠薪预警转案件")
        verbose_name_plural = _("欠薪预警转案件")

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.case_id}"


class BlacklistThreshold(TimeStampedModel):
    """The province's amount from which unpaid wages past a payment order's deadline put an employer on the
    arrears blacklist (数额较大: the 拒不支付劳动报酬罪 standard the province sets), effective-dated: a new
    notice is a new row, and a decision uses the row in force on its date."""

    province = models.CharField(_("省份"), max_length=20)
    effective_from = models.DateField(_("施行日期"))
    amount = models.DecimalField(_("数额标准（元）"), max_digits=12, decimal_places=2)
    basis = models.CharField(_("依据"), max_length=300)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("失信名单数额标准")
        verbose_name_plural = _("失信名单数额标准")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "effective_from"], name="blacklist_threshold_one_per_date"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="blacklist_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.province} ¥{self.amount}（{self.effective_from:%Y-%m-%d}）"


class BlacklistEntryQuerySet(ScopedQuerySet):
    def in_force(self, on=None):
        """Listed on ``on`` (today): not lifted, and ``listed_from ≤ on ≤ listed_until``. Expiry needs no scan."""
        on = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True, listed_from__lte=on, listed_until__gte=on)


class BlacklistEntry(TimeStampedModel):
    """An employer on the wage-arrears blacklist (拖欠农民工工资失信联合惩戒对象名单): a staff decision with its
    basis (a payment order unpaid past its deadline for at least the threshold, or a mass incident), for
    3 years from the decision, lifted early only when the wages are paid, 6 months have passed and the employer
    has given a written credit-repair promise. While in force, jobs refuses the employer's postings
    (``BLACKLIST_CHECKS``)."""

    scope_field = "employer__scope_unit"

    employer = models.ForeignKey(
        EmployerProfile, verbose_name=_("用工方"), on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    basis = models.CharField(_("列入依据"), max_length=20, choices=BlacklistBasis.choices)
    payment_order_number = models.CharField(_("限期支付文书编号"), max_length=60, blank=True)
    payment_order_deadline = models.DateField(_("限期支付截止日"), null=True, blank=True)
    amount_unpaid = models.DecimalField(
        _("逾期未支付金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    threshold = models.ForeignKey(
        BlacklistThreshold,
        verbose_name=_("适用数额标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    threshold_amount = models.DecimalField(
        _("适用标准（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    incident_description = models.TextField(_("群体性事件情况"), max_length=2000, blank=True)
    decision_number = models.CharField(_("列入决定书文号"), max_length=60, blank=True)
    decided_on = models.DateField(_("决定日期"))
    decided_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    listed_from = models.DateField(_("列入日期"))
    listed_until = models.DateField(_("惩戒期至"))
    lifted_at = models.DateTimeField(_("提前移出时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移出登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lift_reason = models.TextField(_("移出理由"), max_length=1000, blank=True)
    wages_paid_on = models.DateField(_("工资全额支付日期"), null=True, blank=True)
    promise = models.FileField(
        _("信用修复承诺书"), upload_to="disputes/blacklist/%Y/%m/", storage=private_storage, blank=True
    )
    promise_sha256 = models.CharField(_("承诺书 SHA-256"), max_length=64, blank=True)

    objects = BlacklistEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("拖欠农民工工资失信名单")
        verbose_name_plural = _("拖欠农民工工资失信名单")
        ordering = ["-listed_from", "-id"]
        indexes = [models.Index(fields=["employer", "listed_until"], name="blacklist_employer_until_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=BlacklistBasis.values), name="blacklist_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(listed_until__gte=models.F("listed_from")), name="blacklist_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(basis=BlacklistBasis.PAYMENT_ORDER) | Q(amount_unpaid__isnull=False),
                name="blacklist_payment_order_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.listed_from:%Y-%m-%d}—{self.listed_until:%Y-%m-%d}"

    def status_on(self, on=None) -> str:
        on = on or timezone.localdate()
        if self.lifted_at is not None:
            return BlacklistStatus.LIFTED
        if on > self.listed_until:
            return BlacklistStatus.EXPIRED
        return BlacklistStatus.LISTED

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return BlacklistStatus(self.status).label


class BlacklistPerson(models.Model):
    """A responsible person of a listed employer (法定代表人、主要负责人、实际控制人), listed with it. Name
    and ID number are personal data: masked everywhere, the public page shows the masked name only."""

    personal_fields = {"name": masking.NAME, "id_number": masking.ID_NUMBER}

    entry = models.ForeignKey(
        BlacklistEntry, verbose_name=_("名单记录"), on_delete=models.CASCADE, related_name="persons"
    )
    role = models.CharField(_("身份"), max_length=30)
    name = models.CharField(_("姓名"), max_length=40)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("失信名单责任人")
        verbose_name_plural = _("失信名单责任人")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.role} {masking.mask_name(self.name)}"

    @property
    def masked_name(self) -> str:
        return masking.mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)
