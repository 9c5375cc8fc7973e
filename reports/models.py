"""The reports app (issue 18): the indicator catalogue as data and the fact table it fills — one row per
indicator × period × org unit × breakdown, recomputable from the raw records of the other apps (ADR 0036).
Nothing imports this app; it reads every app to its left."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ScopeUnit, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow

from .choices import (
    ACTIVE_RUN_STATUSES,
    ApprovalStatus,
    FactSource,
    IndicatorMethod,
    IndicatorUnit,
    PeriodKind,
    RunStatus,
)


class Indicator(models.Model):
    """One indicator of the county → city report: what it counts, in which unit, from which app, whether the
    portal computes it or a county submits it, and whether the city's figure is the sum of its units'."""

    code = models.SlugField(_("代码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=96)
    definition = models.TextField(_("口径"))
    unit = models.CharField(_("计量单位"), max_length=16, choices=IndicatorUnit.choices)
    source_app = models.CharField(_("数据来源"), max_length=32)
    breakdowns = models.JSONField(_("可用分组"), default=list, blank=True)
    method = models.CharField(_("取得方式"), max_length=12, choices=IndicatorMethod.choices)
    additive = models.BooleanField(
        _("可加总"), default=True, help_text=_("全市数等于各县（市、区）、功能区之和。")
    )
    stock = models.BooleanField(
        _("期末存量"), default=False, help_text=_("按期末时点统计（累计数），否则按期内发生数统计。")
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=IndicatorMethod.values), name="indicator_method_valid"
            ),
            models.CheckConstraint(condition=Q(unit__in=IndicatorUnit.values), name="indicator_unit_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FactQuerySet(ScopedQuerySet):
    pass


class Fact(models.Model):
    """One figure: an indicator's value for a period (``202611``, ``2026Q4``, ``2026``) and an org unit (a
    scope unit; empty for the whole city), in total (breakdown '') or for one breakdown value. County staff
    and county tokens see their units' rows only; the city rows are the city's."""

    scope_field = "org_unit"

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="facts"
    )
    period = models.CharField(_("统计期"), max_length=7)
    period_kind = models.CharField(_("统计期类型"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"), help_text=_("统计期之后的第一天。"))
    org_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("统计单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空为全市。"),
    )
    breakdown_key = models.CharField(_("分组"), max_length=24, blank=True, default="")
    breakdown_value = models.CharField(_("分组值"), max_length=48, blank=True, default="")
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=2)
    source = models.CharField(_("来源"), max_length=12, choices=FactSource.choices)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = _("统计数据")
        verbose_name_plural = _("统计数据")
        permissions = [("submit_fact", _("报送县级统计数据"))]
        ordering = ["indicator__sort", "period", "org_unit__code", "breakdown_key", "breakdown_value"]
        indexes = [models.Index(fields=["period", "indicator"], name="fact_period_indicator")]
        constraints = [
            # two partial constraints: NULL (the city) is not equal to NULL in a plain unique constraint
            models.UniqueConstraint(
                fields=["indicator", "period", "org_unit", "breakdown_key", "breakdown_value"],
                condition=Q(org_unit__isnull=False),
                name="fact_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "breakdown_key", "breakdown_value"],
                condition=Q(org_unit__isnull=True),
                name="fact_unique_city",
            ),
            models.CheckConstraint(condition=Q(source__in=FactSource.values), name="fact_source_valid"),
            models.CheckConstraint(
                condition=Q(period_kind__in=PeriodKind.values), name="fact_period_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} {self.org_unit_id or 'city'} = {self.value}"

    @property
    def org_unit_code(self) -> str:
        return self.org_unit.code if self.org_unit_id else "city"


class PeriodApproval(models.Model):
    """A month's approval for one org unit, as DHIS2's approval levels: a county (or zone) submits its month
    once the month has ended, the city accepts it, and the city's own row is accepted once every unit's is.
    A submitted or accepted month is locked for that unit: neither the recompute nor a push changes its
    facts; reopening is the city's audited action with a reason. Rows are created on first use (a month
    without a row is open)."""

    scope_field = "org_unit"

    period = models.CharField(_("统计月份"), max_length=6)
    org_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("统计单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空为全市。"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.OPEN
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度报送审核")
        verbose_name_plural = _("月度报送审核")
        ordering = ["-period", "org_unit__code"]
        permissions = [
            ("submit_periodapproval", _("报送本县（市、区）月度统计")),
            ("accept_periodapproval", _("审核月度统计")),
            ("reopen_periodapproval", _("退回或重新打开月度统计")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "org_unit"],
                condition=Q(org_unit__isnull=False),
                name="approval_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["period"], condition=Q(org_unit__isnull=True), name="approval_unique_city"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApprovalStatus.values), name="approval_status_valid"
            ),
        ]

    def __str__(self) -> str:
        unit = self.org_unit.name if self.org_unit_id else _("全市")
        return f"{self.period} {unit} {self.get_status_display()}"

    @property
    def locked(self) -> bool:
        return self.status != ApprovalStatus.OPEN


class PeriodApprovalEvent(TransitionEvent):
    subject_field = "approval"

    approval = models.ForeignKey(
        PeriodApproval, verbose_name=_("月度报送"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ApprovalStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ApprovalStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("月度报送审核记录")
        verbose_name_plural = _("月度报送审核记录")


# a unit: open → submitted → accepted; the city: open → accepted (once every unit is); back to open by the
# city with a reason (returned or reopened)
APPROVAL_TRANSITIONS = {
    ApprovalStatus.OPEN: frozenset({ApprovalStatus.SUBMITTED, ApprovalStatus.ACCEPTED}),
    ApprovalStatus.SUBMITTED: frozenset({ApprovalStatus.ACCEPTED, ApprovalStatus.OPEN}),
    ApprovalStatus.ACCEPTED: frozenset({ApprovalStatus.OPEN}),
}
APPROVAL_WORKFLOW = Workflow(
    model=PeriodApproval, table=APPROVAL_TRANSITIONS, event_model=PeriodApprovalEvent, subject="approval"
)


class ReportRun(models.Model):
    """One recompute of a period started from the dashboard (issue 18): queued when a city staff member asks
    for it, running while the worker's ``services.compute`` goes through the indicators, then done (with
    the compute's summary) or failed (with the message). At most one queued or running run per period
    (``reportrun_one_active_per_period``): a second start is refused while one is on its way."""

    period = models.CharField(_("统计期"), max_length=7)
    status = models.CharField(
        _("状态"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True
    )
    indicators_done = models.PositiveIntegerField(_("已计算指标数"), default=0)
    indicators_total = models.PositiveIntegerField(_("指标总数"), default=0)
    error = models.TextField(_("错误信息"), blank=True, default="")
    summary = models.JSONField(_("计算结果"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始计算时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重新计算")
        verbose_name_plural = _("重新计算")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="reportrun_one_active_per_period",
            ),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="reportrun_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES

    @property
    def is_stale(self) -> bool:
        """Queued or running past ``LINGONG_REPORT_RUN_TIMEOUT_MINUTES``: its worker died; the next start of
        the period ends it failed (``reports.runs.expire_stale``)."""
        if not self.is_active:
            return False
        since = self.started_at or self.created_at
        return since < timezone.now() - timedelta(minutes=settings.LINGONG_REPORT_RUN_TIMEOUT_MINUTES)

    @property
    def is_live(self) -> bool:
        """Active and not stale: the page waits for it and offers no second start."""
        return self.is_active and not self.is_stale
