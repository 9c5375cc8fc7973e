"""Insured-list claims (ADR 0037): an employer on record (a platform or a domestic-service agency) claims the
accident-insurance subsidy for a month with its insured list. The list's rows are upserted into
``InsuredPremium`` (keyed by person, payer, policy number and month); the claim then becomes one
accident-insurance application per insured person, reviewed, noticed and paid as any other."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core.models import TimeStampedModel
from core.scope import ScopedQuerySet
from jobs.models import EmployerProfile

from ..choices import PayerKind
from .programs import MONEY


class InsuredListClaimQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(employer__user=user)


class InsuredListClaim(TimeStampedModel):
    """One upload of an employer's insured list for a month, with its per-row report (created, identical,
    conflict, unknown person, invalid — and per insured person the computed amount or why none). A dry run
    reports what the upload would do and writes no premium and no application."""

    scope_field = "employer__scope_unit"

    employer = models.ForeignKey(
        EmployerProfile, verbose_name=_("投保单位"), on_delete=models.PROTECT, related_name="+"
    )
    payer_kind = models.CharField(
        _("投保方类型"),
        max_length=10,
        choices=[(PayerKind.PLATFORM, PayerKind.PLATFORM.label), (PayerKind.AGENCY, PayerKind.AGENCY.label)],
    )
    month = models.DateField(_("申领月份"), help_text=_("当月1日"))
    # the list holds resident IDs: private storage, which no URL serves
    file = models.FileField(_("投保名单"), upload_to="subsidies/insured/%Y/%m/", storage=private_storage)
    file_name = models.CharField(_("文件名"), max_length=200)
    dry_run = models.BooleanField(_("试算（不写入）"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    identical_count = models.PositiveIntegerField(_("相同"), default=0)
    conflict_count = models.PositiveIntegerField(_("冲突"), default=0)
    unknown_count = models.PositiveIntegerField(_("查无此人"), default=0)
    invalid_count = models.PositiveIntegerField(_("格式错误"), default=0)
    applications_count = models.PositiveIntegerField(_("生成申请数"), default=0)
    amount_total = models.DecimalField(_("申领金额合计（元）"), **MONEY, default=0)
    report = models.JSONField(_("逐行结果"), default=list, blank=True)
    people = models.JSONField(_("逐人结果"), default=list, blank=True)

    objects = InsuredListClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("意外伤害保险补贴申领（投保名单）")
        verbose_name_plural = _("意外伤害保险补贴申领（投保名单）")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="insuredlistclaim_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.month:%Y-%m} {self.file_name}"
