"""The gig-market operator subsidy (purchase of services, measure 2; ADR 0033): the effective-dated scoring
scheme a notice sets (items per KPI, amount per point or bands, a cap) and the assessment of one market for
one period — the KPIs recomputed from the raw records, each with the rows it counted, the consistency checks
(a failing one disqualifies), the score and the recommended amount, reviewed by staff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from markets.models import Market

from ..choices import ASSESSMENT_TRANSITIONS, AmountRule, AssessmentStatus, IfMissing, OperatorKpi

MONEY = {"max_digits": 10, "decimal_places": 2}
POINTS = {"max_digits": 6, "decimal_places": 2}
BOUND = {"max_digits": 14, "decimal_places": 4}


class OperatorSchemeQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return None

    def visible_to(self, principal):
        # a scheme is a notice's figures: every staff member reads the city's rows and their county's
        rows = super().visible_to(principal)
        return (rows | self.filter(scope_unit__isnull=True)).distinct()

    def in_force(self, day: dt.date, scope_unit_id: int | None):
        """The rows in force on ``day`` for the county (its own rows first, then the city's), newest first."""
        return (
            self.filter(effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .filter(Q(scope_unit__isnull=True) | Q(scope_unit_id=scope_unit_id))
            .order_by(models.F("scope_unit").desc(nulls_last=True), "-effective_from", "-id")
        )


class OperatorScheme(TimeStampedModel):
    """A notice's scoring scheme for the operator subsidy from a date, city-wide (no county) or for one
    county: the points per KPI (``OperatorSchemeItem``), the lowest score that earns anything, how the score
    becomes an amount (per point, or bands ``OperatorSchemeBand``) and the cap per market and period. A new
    notice is a new row (the old one closed the day before): an assessment keeps the version it was scored
    under."""

    scope_field = "scope_unit"

    version = models.CharField(_("版本"), max_length=40, unique=True)
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全市通用"),
    )
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    amount_rule = models.CharField(
        _("金额计算方式"), max_length=10, choices=AmountRule.choices, default=AmountRule.PER_POINT
    )
    amount_per_point = models.DecimalField(_("每分金额（元）"), **MONEY, null=True, blank=True)
    min_score = models.DecimalField(
        _("最低得分"), **POINTS, default=Decimal("0"), help_text=_("低于此分不予补贴")
    )
    cap = models.DecimalField(_("每个市场每期上限（元）"), **MONEY, null=True, blank=True)
    notice = models.CharField(_("政策文件"), max_length=200)
    basis = models.TextField(_("依据说明"), blank=True)

    objects = OperatorSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("零工市场运营补贴评分标准")
        verbose_name_plural = _("零工市场运营补贴评分标准")
        ordering = ["scope_unit", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="operatorscheme_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(amount_rule__in=AmountRule.values), name="operatorscheme_amount_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.version

    def clean(self) -> None:
        if self.amount_rule == AmountRule.PER_POINT and self.amount_per_point is None:
            raise ValidationError({"amount_per_point": [gettext("按分值计算时必填。")]})

    def as_params(self) -> dict:
        """The scheme as the scoring strategy reads it (and an assessment stores it)."""
        return {
            "version": self.version,
            "amount_rule": self.amount_rule,
            "amount_per_point": self.amount_per_point,
            "min_score": self.min_score,
            "cap": self.cap,
            "items": [
                {
                    "kpi": i.kpi,
                    "points": i.points,
                    "full_at": i.full_at,
                    "zero_at": i.zero_at,
                    "if_missing": i.if_missing,
                }
                for i in self.items.order_by("id")
            ],
            "bands": [
                {"min_score": b.min_score, "amount": b.amount} for b in self.bands.order_by("min_score")
            ],
        }


class OperatorSchemeItem(models.Model):
    """One scored KPI of a scheme: ``points`` at ``full_at`` or beyond, none at ``zero_at`` or beyond, in
    proportion between. ``full_at`` below ``zero_at`` means lower is better (fill time, serious findings)."""

    scheme = models.ForeignKey(
        OperatorScheme, verbose_name=_("评分标准"), on_delete=models.CASCADE, related_name="items"
    )
    kpi = models.CharField(_("指标"), max_length=32, choices=OperatorKpi.choices)
    points = models.DecimalField(_("分值"), **POINTS)
    full_at = models.DecimalField(_("满分值"), **BOUND)
    zero_at = models.DecimalField(_("零分值"), **BOUND)
    if_missing = models.CharField(
        _("无数据时"), max_length=4, choices=IfMissing.choices, default=IfMissing.ZERO
    )

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["scheme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kpi"], name="operatorschemeitem_one_per_kpi"),
            models.CheckConstraint(
                condition=~Q(full_at=models.F("zero_at")), name="operatorschemeitem_bounds_differ"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="operatorschemeitem_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kpi_display()} {self.points}"


class OperatorSchemeBand(models.Model):
    """A band of a banded scheme: a score of ``min_score`` or more earns ``amount`` (the highest band met)."""

    scheme = models.ForeignKey(
        OperatorScheme, verbose_name=_("评分标准"), on_delete=models.CASCADE, related_name="bands"
    )
    min_score = models.DecimalField(_("最低得分"), **POINTS)
    amount = models.DecimalField(_("补贴金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("分档")
        verbose_name_plural = _("分档")
        ordering = ["scheme", "min_score"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_score"], name="operatorschemeband_unique_score")
        ]

    def __str__(self) -> str:
        return f"≥{self.min_score}: ¥{self.amount}"


class OperatorAssessmentQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return None


class OperatorAssessment(TimeStampedModel):
    """One market's assessment for one period: every KPI recomputed from the raw records (``figures``), the
    rows each figure counted (``traces``), the consistency checks (``checks``: a failing one disqualifies,
    with its reason), the score per item and in total under the scheme in force, and the recommended amount.
    A draft is replaced when recomputed; once staff have reviewed it, it is never recomputed."""

    scope_field = "market__scope_unit"

    market = models.ForeignKey(
        Market, verbose_name=_("零工市场"), on_delete=models.PROTECT, related_name="operator_assessments"
    )
    period_start = models.DateField(_("考核期起"))
    period_end = models.DateField(_("考核期止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    scheme = models.ForeignKey(
        OperatorScheme,
        verbose_name=_("评分标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    scheme_version = models.CharField(_("评分标准版本"), max_length=40, blank=True)
    scheme_figures = models.JSONField(_("评分标准（当时）"), default=dict, blank=True)
    figures = models.JSONField(_("指标"), default=dict)
    traces = models.JSONField(_("指标来源"), default=dict)
    checks = models.JSONField(_("数据核验"), default=list)
    disqualified = models.BooleanField(_("取消资格"), default=False)
    reasons = models.JSONField(_("理由"), default=list)
    score_items = models.JSONField(_("逐项得分"), default=list)
    score = models.DecimalField(_("得分"), **POINTS, null=True, blank=True)
    recommended_amount = models.DecimalField(_("建议补贴金额（元）"), **MONEY, null=True, blank=True)
    computed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("测算人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.CharField(_("复核意见"), max_length=300, blank=True)

    objects = OperatorAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("零工市场运营补贴测算")
        verbose_name_plural = _("零工市场运营补贴测算")
        ordering = ["-period_start", "market__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "period_start", "period_end"], name="operatorassessment_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values), name="operatorassessment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="operatorassessment_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.period_start}–{self.period_end}"


class OperatorAssessmentEvent(TransitionEvent):
    subject_field = "assessment"

    assessment = models.ForeignKey(
        OperatorAssessment, verbose_name=_("测算"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=AssessmentStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=AssessmentStatus.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("测算状态记录")
        verbose_name_plural = _("测算状态记录")


ASSESSMENT_WORKFLOW = Workflow(
    model=OperatorAssessment,
    table=ASSESSMENT_TRANSITIONS,
    event_model=OperatorAssessmentEvent,
    subject="assessment",
)
