"""Subsidies' choices: how a parameter row bases the contribution subsidy, whose retirement track a woman
follows, where a contribution row came from, the contribution import's states and its per-row outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseRule(models.TextChoices):
    """What the social-insurance subsidy is a share of: the contributions actually paid, or at most those due
    on the lowest contribution base (最低缴费基数)."""

    ACTUAL = "actual", _("按实际缴费")
    LOWEST_TIER = "lowest_tier", _("按最低缴费档次")


class FemaleRetirementTrack(models.TextChoices):
    """The original statutory age a woman's retirement is counted from (the 2025 reform delays each)."""

    FIFTY = "50", _("原50周岁（女职工）")
    FIFTY_FIVE = "55", _("原55周岁（女干部、以个人身份参保）")


class ContributionSource(models.TextChoices):
    IMPORT = "import", _("社保系统导入")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


IMPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ImportStatus.QUEUED: frozenset({ImportStatus.RUNNING, ImportStatus.FAILED}),
    ImportStatus.RUNNING: frozenset({ImportStatus.DONE, ImportStatus.FAILED}),
    ImportStatus.DONE: frozenset(),
    ImportStatus.FAILED: frozenset(),
}
ACTIVE_IMPORT_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class RowOutcome(models.TextChoices):
    """What the import did (or, in a dry run, would do) with one row of the file."""

    CREATED = "created", _("新增")
    UPDATED = "updated", _("更新")
    IDENTICAL = "identical", _("相同，已忽略")
    CONFLICT = "conflict", _("冲突，未导入")
    INVALID = "invalid", _("格式错误，未导入")


class PayerKind(models.TextChoices):
    """Who bought an accident-insurance policy for a worker."""

    PLATFORM = "platform", _("新就业形态平台")
    AGENCY = "agency", _("家政服务机构")
    PERSON = "person", _("本人")


class EntitlementSource(models.TextChoices):
    """Where a subsidised month (or amount) on record came from: the previous system's records before the
    portal (imported by staff), or an approved application here (next: the application workflow)."""

    LEGACY = "legacy", _("原系统已享受")
    APPLICATION = "application", _("本平台申请")


# --- the gig-market operator subsidy (purchase of services, measure 2; ADR 0033) ---------------------------


class OperatorKpi(models.TextChoices):
    """The figures recomputed per market and period from the raw records (``subsidies.kpis``)."""

    POSTINGS = "postings", _("发布岗位数")
    HIRES = "hires", _("录用人数")
    FILL_HOURS = "fill_hours", _("首次录用用时中位数（小时）")
    WORK_ORDERS_SETTLED = "work_orders_settled", _("已结算用工单数")
    SETTLED_AMOUNT = "settled_amount", _("已结算劳务费（元）")
    COUNTER_SERVICES = "counter_services", _("服务台代办服务次数")
    COMPLAINTS = "complaints", _("投诉件数")
    COMPLAINTS_CLOSED = "complaints_closed", _("投诉已办结件数")
    COMPLAINT_CLOSURE_RATE = "complaint_closure_rate", _("投诉办结率")
    INSPECTIONS = "inspections", _("安全检查次数")
    INSPECTION_FINDINGS = "inspection_findings", _("检查发现问题数")
    MAJOR_FINDINGS = "major_findings", _("检查发现严重问题数")


class AmountRule(models.TextChoices):
    """How a scheme turns the score into an amount."""

    PER_POINT = "per_point", _("按分值计算（每分金额）")
    BANDS = "bands", _("按分档定额")


class IfMissing(models.TextChoices):
    """What an item scores when its figure does not exist for the period (no complaints: no closure rate)."""

    FULL = "full", _("得满分")
    ZERO = "zero", _("不得分")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("测算稿")
    REVIEWED = "reviewed", _("已复核")


ASSESSMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AssessmentStatus.DRAFT: frozenset({AssessmentStatus.REVIEWED}),
    AssessmentStatus.REVIEWED: frozenset(),
}
