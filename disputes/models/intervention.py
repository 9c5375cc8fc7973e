"""Timely intervention: the respondent's answer, mediation and its agreement, visits back and ratings
(ADR 0028)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.scope import ScopedQuerySet

from ..choices import (
    AnswerPosition,
    MediationOutcome,
    VisitMethod,
)
from .cases import Case, ClaimLine, Evidence

# --- timely intervention: the respondent's answer, mediation and its agreement, visits back, satisfaction ---


class CaseChildQuerySet(ScopedQuerySet):
    """Rows of a case, seen by staff in the case's scope (and by owners where a subclass says so)."""


class RespondentAnswer(models.Model):
    """The respondent's answer to an accepted case (答辩): their account of the facts and, per claim line,
    whether they accept it, dispute it or accept part of it. One per case, written once on the pages or the
    API by the employer on record; an optional upload is stored as evidence of the case."""

    scope_field = "case__scope_unit"

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="respondent_answer"
    )
    account = models.TextField(_("被投诉方陈述"), max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), default=timezone.now)
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("答复材料"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("被投诉方答复")
        verbose_name_plural = _("被投诉方答复")
        ordering = ["-answered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} · {self.answered_at:%Y-%m-%d}"


class AnswerLine(models.Model):
    """The respondent's position on one claim line: accepted (the whole amount), disputed (nothing), or
    partly accepted (the amount they accept, less than claimed)."""

    answer = models.ForeignKey(
        RespondentAnswer, verbose_name=_("答复"), on_delete=models.CASCADE, related_name="lines"
    )
    claim = models.OneToOneField(
        ClaimLine, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="answer_line"
    )
    position = models.CharField(_("意见"), max_length=8, choices=AnswerPosition.choices)
    accepted_amount = models.DecimalField(_("认可金额（元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("诉求答复")
        verbose_name_plural = _("诉求答复")
        ordering = ["claim_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__in=AnswerPosition.values), name="answer_line_position_valid"
            ),
            models.CheckConstraint(
                condition=Q(accepted_amount__gte=0), name="answer_line_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim}: {self.get_position_display()} ¥{self.accepted_amount}"


class MediationRecord(TimeStampedModel):
    """One mediation session of a case (调解笔录): when, who mediated, who took part, what came of it. A
    session that ends in an agreement carries its terms; an agreement to pay is paid by the employer through
    the work app's payment services (the agreed work order's payment, ADR 0028) and is fulfilled when the
    worker confirms receipt, which resolves the case."""

    scope_field = "case__scope_unit"

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="mediation_records"
    )
    held_on = models.DateField(_("调解日期"))
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调解员"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    participants = models.CharField(_("参加人员"), max_length=300)
    notes = models.TextField(_("调解情况"), max_length=4000, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=MediationOutcome.choices)
    # the agreement (outcome = agreement)
    agreed_amount = models.DecimalField(
        _("协议支付金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    pay_by = models.DateField(_("支付期限"), null=True, blank=True)
    terms = models.TextField(_("协议内容"), max_length=4000, blank=True)
    work_order = models.ForeignKey(
        "work.WorkOrder",
        verbose_name=_("支付的用工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment = models.ForeignKey(
        "work.Payment",
        verbose_name=_("支付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_declared_at = models.DateTimeField(_("用工方登记付款时间"), null=True, blank=True)
    paid_note = models.CharField(_("付款说明"), max_length=200, blank=True)
    receipt_confirmed_at = models.DateTimeField(_("劳动者确认收款时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=MediationOutcome.values), name="mediation_outcome_valid"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(outcome="agreement"), name="mediation_one_agreement_per_case"
            ),
            models.CheckConstraint(
                condition=Q(agreed_amount__isnull=True) | Q(agreed_amount__gte=0),
                name="mediation_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.held_on:%Y-%m-%d} · {self.get_outcome_display()}"

    @property
    def is_agreement_to_pay(self) -> bool:
        return self.outcome == MediationOutcome.AGREEMENT and bool(self.agreed_amount)


class VisitBack(TimeStampedModel):
    """A visit back (回访) after a case is resolved: when, how, what the complainant said."""

    scope_field = "case__scope_unit"

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("回访日期"))
    method = models.CharField(_("回访方式"), max_length=8, choices=VisitMethod.choices)
    notes = models.TextField(_("回访情况"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=VisitMethod.values), name="visit_method_valid")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.visited_on:%Y-%m-%d}"


class SatisfactionRating(models.Model):
    """The complainant's rating of how their case was handled (1–5 and a comment), given once after it was
    resolved."""

    scope_field = "case__scope_unit"

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    stars = models.PositiveSmallIntegerField(_("满意度（1–5）"))
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="satisfaction_stars_range")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.stars}★"
