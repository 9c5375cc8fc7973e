"""Labour-market statistics: the monthly wage guidance prices (工资指导价位: a draft that city staff review and
publish, then immutable) and supply and demand per occupation, county and month (求人倍率)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ScopeUnit, TransitionEvent
from core.workflow import Workflow
from jobs.models import Occupation

from .choices import GUIDANCE_TRANSITIONS, GuidanceStatus

MONEY = {"max_digits": 10, "decimal_places": 2}


class WageGuidance(models.Model):
    """The market wage guidance prices (工资指导价位) of one month: a draft that staff review, then
    published and immutable."""

    month = models.DateField(_("月份"), unique=True, help_text=_("每月1日"))
    status = models.CharField(
        _("状态"), max_length=12, choices=GuidanceStatus.choices, default=GuidanceStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    min_observations = models.PositiveIntegerField(_("最少样本"), default=30)
    min_employers = models.PositiveIntegerField(_("最少用工方"), default=5)

    class Meta:
        verbose_name = _("工资指导价位")
        verbose_name_plural = _("工资指导价位")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GuidanceStatus.values), name="guidance_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_status_display()}"


class WageGuidanceEvent(TransitionEvent):
    """One step of a month's wage guidance (published)."""

    subject_field = "guidance"

    guidance = models.ForeignKey(
        WageGuidance, verbose_name=_("月份"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=GuidanceStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=GuidanceStatus.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("工资指导价位发布记录")
        verbose_name_plural = _("工资指导价位发布记录")


class WageGuidanceCell(models.Model):
    """Percentiles of settled daily-equivalent wages for one occupation in one county (or city-wide when
    the county is empty). Cells under the sample thresholds are not stored."""

    guidance = models.ForeignKey(
        WageGuidance, verbose_name=_("月份"), on_delete=models.CASCADE, related_name="cells"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("工种"), on_delete=models.PROTECT, related_name="+"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    p10 = models.DecimalField(_("低位数（P10）"), **MONEY)
    p25 = models.DecimalField(_("P25"), **MONEY)
    p50 = models.DecimalField(_("中位数（P50）"), **MONEY)
    p75 = models.DecimalField(_("P75"), **MONEY)
    p90 = models.DecimalField(_("高位数（P90）"), **MONEY)
    sample_size = models.PositiveIntegerField(_("样本数"))
    employer_count = models.PositiveIntegerField(_("用工方数"))

    class Meta:
        verbose_name = _("工资指导价位明细")
        verbose_name_plural = _("工资指导价位明细")
        constraints = [
            models.UniqueConstraint(
                fields=["guidance", "occupation", "scope_unit"], name="guidance_cell_unique"
            ),
            models.UniqueConstraint(
                fields=["guidance", "occupation"],
                condition=Q(scope_unit__isnull=True),
                name="guidance_cell_city_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guidance} {self.occupation} {self.scope_unit or ''}"


class SupplyDemandStat(models.Model):
    """Supply and demand for one occupation, county and month: open positions, active seekers and their
    ratio (求人倍率), new registrations, postings, hires and the average days to fill."""

    month = models.DateField(_("月份"), db_index=True)
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("工种"), on_delete=models.PROTECT, related_name="+"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    open_positions = models.PositiveIntegerField(_("需求人数"))
    active_seekers = models.PositiveIntegerField(_("求职人数"))
    ratio = models.DecimalField(_("求人倍率"), max_digits=8, decimal_places=2, null=True, blank=True)
    new_registrations = models.PositiveIntegerField(_("新增求职登记"))
    postings = models.PositiveIntegerField(_("发布岗位数"))
    hires = models.PositiveIntegerField(_("录用人数"))
    avg_days_to_fill = models.DecimalField(
        _("平均招满天数"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("供求统计")
        verbose_name_plural = _("供求统计")
        ordering = ["-month", "occupation"]
        constraints = [
            models.UniqueConstraint(fields=["month", "occupation", "scope_unit"], name="supplydemand_unique"),
            models.UniqueConstraint(
                fields=["month", "occupation"],
                condition=Q(scope_unit__isnull=True),
                name="supplydemand_city_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.occupation} {self.scope_unit or ''}"


GUIDANCE_WORKFLOW = Workflow(
    model=WageGuidance, table=GUIDANCE_TRANSITIONS, event_model=WageGuidanceEvent, subject="guidance"
)
