"""The evidence bundle drawn from the work record and the green-channel referral (ADR 0025)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import ScopedQuerySet

from ..choices import (
    ReferralBody,
)
from .cases import Case


class CaseRecordQuerySet(ScopedQuerySet):
    """Rows hanging off a case: staff of its county (and the city) only."""


class EvidenceBundle(models.Model):
    """The evidence drawn from the work record for a case (ADR 0025): the posting, the application and hire,
    each of the complainant's work orders with the employer (check-in and out, hours and corrections,
    approval, payments and callbacks, messages to the worker), as one JSON document with the SHA-256 of its
    canonical form. Rebuilt on request until the case is referred; then frozen, never rebuilt."""

    scope_field = "case__scope_unit"

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="evidence_bundle"
    )
    built_at = models.DateTimeField(_("生成时间"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content = models.JSONField(_("内容"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    frozen_at = models.DateTimeField(_("固定时间"), null=True, blank=True)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("用工记录证据包")
        verbose_name_plural = _("用工记录证据包")
        ordering = ["-built_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.sha256[:12]}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Referral(models.Model):
    """A case sent down the green channel to labour inspection or arbitration: when, the packet as it was
    sent (and its SHA-256), and what came back — the body's own case number and outcome, recorded by staff."""

    scope_field = "case__scope_unit"

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="referrals")
    body = models.CharField(_("移送机构"), max_length=12, choices=ReferralBody.choices)
    referred_at = models.DateTimeField(_("移送时间"), default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    packet = models.JSONField(_("移送材料"))
    packet_sha256 = models.CharField(_("移送材料 SHA-256"), max_length=64)
    external_case_number = models.CharField(_("对方案件编号"), max_length=60, blank=True)
    external_outcome = models.TextField(_("对方处理结果"), max_length=2000, blank=True)
    outcome_recorded_at = models.DateTimeField(_("结果登记时间"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结果登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("绿色通道移送")
        verbose_name_plural = _("绿色通道移送")
        ordering = ["-referred_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(body__in=ReferralBody.values), name="referral_body_valid"),
            models.UniqueConstraint(fields=["case", "body"], name="referral_once_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.get_body_display()}"
