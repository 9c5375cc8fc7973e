"""Subsidies (notice measures 8 and 2, and measure 6's training subsidy): programs as data — a program type
names its strategies (eligibility, amount, de-duplication, payment cycle) and its parameters are
effective-dated rows per city or county with the notice they come from; the social-insurance system's
contribution months, imported by staff; the accident-insurance premiums bought for gig workers; the
explainable eligibility decisions; and the subsidised months or amounts already on record (the ledger the
limits and de-duplication count). Applications, review, public notice, budgets and disbursement build on
these (ADR 0029)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from jobs.models import EmployerProfile
from work.models import WorkOrder

from ..choices import (
    ACTIVE_IMPORT_STATUSES,
    IMPORT_TRANSITIONS,
    BaseRule,
    ContributionSource,
    EntitlementSource,
    FemaleRetirementTrack,
    ImportStatus,
    PayerKind,
)

MONEY = {"max_digits": 10, "decimal_places": 2}
RATE = {"max_digits": 6, "decimal_places": 4}


def parse_ratio(value: str) -> Fraction:
    """ "2/3" → Fraction(2, 3), "0.5" → Fraction(1, 2); a ratio outside 0–1 or not a number: ValueError."""
    ratio = Fraction(str(value).strip())
    if not 0 <= ratio <= 1:
        raise ValueError(value)
    return ratio


def validate_ratio(value: str) -> None:
    try:
        parse_ratio(value)
    except (ValueError, ZeroDivisionError):
        raise ValidationError(gettext("比例应为 0 到 1 之间的分数或小数，如 2/3。")) from None


# --- programs as data ---------------------------------------------------------------------------------------


class ProgramType(models.Model):
    """A subsidy program (灵活就业人员社会保险补贴, 意外伤害保险补贴, 培训补贴, 零工市场运营补贴): its name and
    the codes of the strategies that decide it (``subsidies.strategies``: eligibility, amount,
    de-duplication, payment cycle). Its figures are ``ProgramParameter`` rows, never constants."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    summary = models.TextField(_("简介"), blank=True)
    eligibility_strategy = models.CharField(_("资格规则"), max_length=40)
    amount_strategy = models.CharField(_("金额规则"), max_length=40)
    dedup_strategy = models.CharField(_("防重复规则"), max_length=40)
    cycle_strategy = models.CharField(_("发放周期"), max_length=40)
    offered_to_workers = models.BooleanField(
        _("向劳动者展示测算"), default=True, help_text=_("在“我能享受什么补贴”页面为劳动者测算")
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("补贴项目")
        verbose_name_plural = _("补贴项目")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from ..strategies import registry

        errors = {}
        for field, kind in (
            ("eligibility_strategy", registry.ELIGIBILITY),
            ("amount_strategy", registry.AMOUNT),
            ("dedup_strategy", registry.DEDUP),
            ("cycle_strategy", registry.CYCLE),
        ):
            if getattr(self, field) not in kind:
                errors[field] = [gettext("没有这个规则编码。")]
        if errors:
            raise ValidationError(errors)


class ProgramParameterQuerySet(models.QuerySet):
    def in_force(self, program, day: dt.date, scope_unit_id: int | None):
        """The rows of ``program`` in force on ``day`` for the county (its own rows first, then the city's),
        newest first."""
        return (
            self.filter(program_type=program, effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .filter(Q(scope_unit__isnull=True) | Q(scope_unit_id=scope_unit_id))
            .order_by(models.F("scope_unit").desc(nulls_last=True), "-effective_from", "-id")
        )


# the figure columns of a parameter row (the calculator's inputs; the admin and the API show the same)
FIGURE_FIELDS = (
    "ratio",
    "base_rule",
    "lowest_base",
    "pension_rate",
    "medical_rate",
    "monthly_cap",
    "max_months",
    "max_months_graduate",
    "graduate_window_months",
    "retirement_extension_years",
    "female_retirement_track",
    "min_work_days",
    "min_work_earnings",
    "share",
    "yearly_cap",
    "min_age",
    "max_age",
)


class ProgramParameter(TimeStampedModel):
    """The figures of a program from a date, city-wide (no county) or for one county, with the notice they
    come from. A new notice is a new row (the old one closed the day before), so a decision made under an
    earlier row stays explainable. Columns a program does not use stay empty."""

    program_type = models.ForeignKey(
        ProgramType, verbose_name=_("补贴项目"), on_delete=models.PROTECT, related_name="parameters"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全市通用"),
    )
    version = models.CharField(_("版本"), max_length=40)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    # social-insurance subsidy
    ratio = models.CharField(
        _("补贴比例"),
        max_length=12,
        blank=True,
        validators=[validate_ratio],
        help_text=_("分数或小数，如 2/3、0.5"),
    )
    base_rule = models.CharField(_("计算基数"), max_length=12, choices=BaseRule.choices, blank=True)
    lowest_base = models.DecimalField(_("最低缴费基数（元/月）"), **MONEY, null=True, blank=True)
    pension_rate = models.DecimalField(_("养老保险费率"), **RATE, null=True, blank=True)
    medical_rate = models.DecimalField(_("医疗保险费率"), **RATE, null=True, blank=True)
    monthly_cap = models.DecimalField(_("每月上限（元）"), **MONEY, null=True, blank=True)
    max_months = models.PositiveSmallIntegerField(_("最长月数"), null=True, blank=True)
    max_months_graduate = models.PositiveSmallIntegerField(_("高校毕业生最长月数"), null=True, blank=True)
    graduate_window_months = models.PositiveSmallIntegerField(
        _("离校后月数"), null=True, blank=True, help_text=_("离校多少个月内的高校毕业生可以享受")
    )
    retirement_extension_years = models.PositiveSmallIntegerField(
        _("距退休年数（可延长至退休）"), null=True, blank=True
    )
    female_retirement_track = models.CharField(
        _("女性退休年龄口径"), max_length=2, choices=FemaleRetirementTrack.choices, blank=True
    )
    min_work_days = models.PositiveSmallIntegerField(_("每月最少灵活就业天数"), null=True, blank=True)
    min_work_earnings = models.DecimalField(_("每月最少灵活就业收入（元）"), **MONEY, null=True, blank=True)
    # accident-insurance subsidy
    share = models.DecimalField(_("保费补贴比例"), **RATE, null=True, blank=True)
    yearly_cap = models.DecimalField(_("每人每年上限（元）"), **MONEY, null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    # where the figures come from
    notice = models.CharField(_("政策文件"), max_length=200)
    basis = models.TextField(_("依据说明"), blank=True)

    objects = ProgramParameterQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴参数")
        verbose_name_plural = _("补贴参数")
        ordering = ["program_type", "scope_unit", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_type", "version"], name="programparameter_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="programparameter_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gte=0, share__lte=1), name="programparameter_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_type} {self.version}"

    def figures(self) -> dict:
        """The row's figures as the calculator reads them (and a decision stores them)."""
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


# --- contribution months (the social-insurance system's records) --------------------------------------------


class ContributionImportQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return None


class ContributionImport(TimeStampedModel):
    """One upload of the social-insurance system's contribution records (CSV/XLSX) and its run: a task reads
    the file, upserts the rows keyed by person and month (or, in a dry run, only reports what it would do),
    and keeps its progress and its per-row report here. One import runs at a time (``lane``)."""

    scope_field = "uploaded_by__scope_unit"

    # the social-insurance system's file holds resident IDs: private storage, which no URL serves
    file = models.FileField(_("文件"), upload_to="subsidies/contributions/%Y/%m/", storage=private_storage)
    file_name = models.CharField(_("文件名"), max_length=200)
    dry_run = models.BooleanField(_("试导入（不写入）"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # every queued or running import holds the lane; a second one is refused by the unique constraint
    lane = models.CharField(_("通道"), max_length=10, default="city", editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    errors = models.PositiveIntegerField(_("问题行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    identical_count = models.PositiveIntegerField(_("相同"), default=0)
    conflict_count = models.PositiveIntegerField(_("冲突"), default=0)
    invalid_count = models.PositiveIntegerField(_("格式错误"), default=0)
    report = models.JSONField(_("逐行结果"), default=list, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ContributionImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("缴费记录导入")
        verbose_name_plural = _("缴费记录导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="contributionimport_status_valid"
            ),
            models.UniqueConstraint(
                fields=["lane"],
                condition=Q(status__in=ACTIVE_IMPORT_STATUSES),
                name="contributionimport_one_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_IMPORT_STATUSES


class ContributionImportEvent(TransitionEvent):
    subject_field = "contribution_import"

    contribution_import = models.ForeignKey(
        ContributionImport, verbose_name=_("缴费记录导入"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=ImportStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ImportStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("导入状态记录")
        verbose_name_plural = _("导入状态记录")


IMPORT_WORKFLOW = Workflow(
    model=ContributionImport,
    table=IMPORT_TRANSITIONS,
    event_model=ContributionImportEvent,
    subject="contribution_import",
)


class ContributionMonthQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)


class ContributionMonth(TimeStampedModel):
    """One person's employee pension and medical contributions for one month, as the social-insurance system
    confirmed them (imported, never typed in): what the social-insurance subsidy is paid on. Keyed by person
    and month; a re-import of the same figures changes nothing."""

    scope_field = "person__scope_unit"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="contribution_months",
    )
    month = models.DateField(_("缴费月份"), help_text=_("当月1日"))
    pension_paid = models.DecimalField(_("养老保险实缴（元）"), **MONEY, validators=[MinValueValidator(0)])
    medical_paid = models.DecimalField(_("医疗保险实缴（元）"), **MONEY, validators=[MinValueValidator(0)])
    base = models.DecimalField(_("缴费基数（元）"), **MONEY, null=True, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=ContributionSource.choices, default=ContributionSource.IMPORT
    )
    source_import = models.ForeignKey(
        ContributionImport,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contribution_months",
    )

    objects = ContributionMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("社保缴费月份")
        verbose_name_plural = _("社保缴费月份")
        ordering = ["person", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="contributionmonth_person_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="contributionmonth_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m}"

    @property
    def paid(self) -> Decimal:
        return self.pension_paid + self.medical_paid


# --- accident insurance bought for gig workers --------------------------------------------------------------


class InsuredPremiumQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)


class InsuredPremium(TimeStampedModel):
    """One accident-insurance premium bought for a worker for a month, by a platform, a domestic-service
    agency or the person — a row of the insured list a claim carries. ``injury_covered`` marks a row whose
    work is already covered by the platform's per-order occupational-injury premium (职业伤害保障): it is not
    subsidised again."""

    scope_field = "person__scope_unit"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被保险人"),
        on_delete=models.PROTECT,
        related_name="insured_premiums",
    )
    payer_kind = models.CharField(_("投保方类型"), max_length=10, choices=PayerKind.choices)
    payer = models.ForeignKey(
        EmployerProfile,
        verbose_name=_("投保单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("在本平台登记的平台或家政机构；本人投保时留空"),
    )
    payer_name = models.CharField(_("投保单位名称"), max_length=100)
    policy_number = models.CharField(_("保单号"), max_length=60)
    month = models.DateField(_("保障月份"), help_text=_("当月1日"))
    premium = models.DecimalField(_("保费（元）"), **MONEY, validators=[MinValueValidator(0)])
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("对应用工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    injury_covered = models.BooleanField(_("已由单笔职业伤害保障覆盖"), default=False)
    is_manager = models.BooleanField(_("管理人员"), default=False)

    objects = InsuredPremiumQuerySet.as_manager()

    class Meta:
        verbose_name = _("意外伤害保险投保记录")
        verbose_name_plural = _("意外伤害保险投保记录")
        ordering = ["person", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "payer_name", "policy_number", "month"], name="insuredpremium_unique_row"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="insuredpremium_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.policy_number} {self.month:%Y-%m}"


# --- decisions and the ledger of what was granted -----------------------------------------------------------


class EligibilityDecisionQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)


class EligibilityDecision(models.Model):
    """The calculator's answer for one person, program and period: eligible (yes, no, or unknown with what
    is needed), the amount, every intermediate figure, the parameter row it used and the reasons. Written
    again only when the answer changes (``digest``), so an application can point at the one it confirmed."""

    scope_field = "person__scope_unit"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    program_type = models.ForeignKey(
        ProgramType, verbose_name=_("补贴项目"), on_delete=models.PROTECT, related_name="decisions"
    )
    parameter = models.ForeignKey(
        ProgramParameter,
        verbose_name=_("参数版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    parameter_version = models.CharField(_("参数版本号"), max_length=40, blank=True)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    eligible = models.BooleanField(_("符合条件"), null=True, help_text=_("空表示还不能确定"))
    amount = models.DecimalField(_("测算金额（元）"), **MONEY, null=True, blank=True)
    figures = models.JSONField(_("计算过程"), default=dict)
    reasons = models.JSONField(_("理由"), default=list)
    needs = models.JSONField(_("还需要"), default=list)
    digest = models.CharField(_("摘要"), max_length=64)
    computed_at = models.DateTimeField(_("测算时间"), auto_now_add=True)

    objects = EligibilityDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("资格测算")
        verbose_name_plural = _("资格测算")
        ordering = ["-computed_at", "-id"]
        indexes = [
            models.Index(fields=["person", "program_type", "period_start"], name="decision_person_program"),
        ]

    def __str__(self) -> str:
        return f"{self.program_type} {self.person_id} {self.period_start}"


class EntitlementQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)


class Entitlement(TimeStampedModel):
    """A subsidised month (social insurance) or amount (accident insurance) on record for a person — from the
    previous system before the portal, or from an approved application here. The month limits (36/24) and the
    yearly cap count these rows across counties and payers; one row per program, person and month is the
    de-duplication of a contribution month."""

    scope_field = "person__scope_unit"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    program_type = models.ForeignKey(
        ProgramType, verbose_name=_("补贴项目"), on_delete=models.PROTECT, related_name="entitlements"
    )
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    amount = models.DecimalField(_("金额（元）"), **MONEY, validators=[MinValueValidator(0)])
    source = models.CharField(_("来源"), max_length=12, choices=EntitlementSource.choices)
    reference = models.CharField(_("凭据"), max_length=120, blank=True)
    decision = models.ForeignKey(
        EligibilityDecision, verbose_name=_("资格测算"), null=True, blank=True, on_delete=models.PROTECT
    )
    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name=_("补贴申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlements",
    )
    payer = models.ForeignKey(
        EmployerProfile,
        verbose_name=_("申领单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("平台或家政机构代为申领的意外伤害保险补贴"),
    )

    objects = EntitlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("已享受补贴")
        verbose_name_plural = _("已享受补贴")
        ordering = ["person", "-month"]
        constraints = [
            # one row per program, person and month — per payer for what a platform or agency claimed
            # (two agencies insure the same person in the same month; the yearly cap counts both, ADR 0037)
            models.UniqueConstraint(
                fields=["program_type", "person", "month"],
                condition=Q(payer__isnull=True),
                name="entitlement_program_person_month",
            ),
            models.UniqueConstraint(
                fields=["program_type", "person", "month", "payer"],
                condition=Q(payer__isnull=False),
                name="entitlement_program_person_month_payer",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="entitlement_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.program_type} {self.person_id} {self.month:%Y-%m} ¥{self.amount}"
