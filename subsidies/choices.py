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


class ApplicationStatus(models.TextChoices):
    """A subsidy application's workflow (DESIGN.md): two-level review, then the public notice (公示)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    COUNTY_REVIEW = "county_review", _("县级审核中")
    CITY_REVIEW = "city_review", _("市级复核中")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    APPROVED = "approved", _("已批准")
    DISBURSED = "disbursed", _("已发放")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("未通过")


AS = ApplicationStatus
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    AS.DRAFT: frozenset({AS.SUBMITTED}),
    AS.SUBMITTED: frozenset({AS.COUNTY_REVIEW}),
    AS.COUNTY_REVIEW: frozenset({AS.CITY_REVIEW, AS.RETURNED, AS.REJECTED}),
    AS.RETURNED: frozenset({AS.SUBMITTED}),
    AS.CITY_REVIEW: frozenset({AS.PUBLIC_NOTICE, AS.RETURNED, AS.REJECTED}),
    AS.PUBLIC_NOTICE: frozenset({AS.APPROVED, AS.RETURNED}),
    AS.APPROVED: frozenset({AS.DISBURSED}),
    AS.DISBURSED: frozenset(),
    AS.REJECTED: frozenset(),
}
# the statuses whose requested amount counts against a budget (approved ones by their approved amount)
BUDGET_HOLDING_STATUSES = (AS.PUBLIC_NOTICE, AS.APPROVED, AS.DISBURSED)
OPEN_APPLICATION_STATUSES = (
    AS.DRAFT,
    AS.SUBMITTED,
    AS.COUNTY_REVIEW,
    AS.CITY_REVIEW,
    AS.PUBLIC_NOTICE,
    AS.RETURNED,
)

# the review queues (the admin's queue filter, the API's ``queue``): what waits at each level
REVIEW_QUEUES = {
    "county": (AS.SUBMITTED, AS.COUNTY_REVIEW),
    "city": (AS.CITY_REVIEW,),
    "notice": (AS.PUBLIC_NOTICE,),
}


class ObjectionStatus(models.TextChoices):
    """An objection raised during a public notice: open until staff uphold or dismiss it."""

    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


OBJECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ObjectionStatus.OPEN: frozenset({ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED}),
    ObjectionStatus.UPHELD: frozenset(),
    ObjectionStatus.DISMISSED: frozenset(),
}


class RunStatus(models.TextChoices):
    """A long run (the proactive eligibility finder): queued, running, done or failed."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.DONE, RunStatus.FAILED}),
    RunStatus.DONE: frozenset(),
    RunStatus.FAILED: frozenset(),
}
ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class OfferStatus(models.TextChoices):
    """A proactive offer (免申即享): sent to the person, who confirms it (it becomes their application) or
    declines it; an offer no longer borne out by the records is withdrawn."""

    OFFERED = "offered", _("待确认")
    CONFIRMED = "confirmed", _("已确认申请")
    DECLINED = "declined", _("已放弃")
    WITHDRAWN = "withdrawn", _("已撤回")


OFFER_TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.OFFERED: frozenset({OfferStatus.CONFIRMED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN}),
    OfferStatus.CONFIRMED: frozenset(),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.WITHDRAWN: frozenset(),
}


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


class ClaimRowOutcome(models.TextChoices):
    """What an insured-list claim did (or, in a dry run, would do) with one row of the list (ADR 0037)."""

    CREATED = "created", _("新增")
    IDENTICAL = "identical", _("相同，已忽略")
    CONFLICT = "conflict", _("冲突，未导入")
    UNKNOWN_PERSON = "unknown", _("查无此人")
    INVALID = "invalid", _("格式错误，未导入")


# what the claim did for one insured person
CLAIM_PERSON_OUTCOMES = {
    "applied": _("已提交申请"),
    "would_apply": _("试算：将提交申请"),
    "not_subsidised": _("不予补贴"),
    "refused": _("重复申领，未提交"),
    "already_claimed": _("已申领过"),
}
# --- disbursement (ADR 0035) ----------------------------------------------------------------------------


class AccountKind(models.TextChoices):
    """Where a subsidy is paid: the financial account of the social security card (社保卡金融账户, the
    usual channel for subsidies) or a bank debit card in the person's own name."""

    SOCIAL_SECURITY_CARD = "ss_card", _("社会保障卡")
    BANK_CARD = "bank_card", _("银行卡")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    EXPORTED = "exported", _("已生成银行文件")
    RESULT_IMPORTED = "result_imported", _("已导入银行回盘")
    CLOSED = "closed", _("已关闭")


BATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    BatchStatus.DRAFT: frozenset({BatchStatus.EXPORTED}),
    BatchStatus.EXPORTED: frozenset({BatchStatus.RESULT_IMPORTED}),
    BatchStatus.RESULT_IMPORTED: frozenset({BatchStatus.CLOSED}),
    BatchStatus.CLOSED: frozenset(),
}


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    EXPORTED = "exported", _("已报送银行")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("发放失败")
    RETURNED = "returned", _("已退回")


PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.EXPORTED}),
    PaymentStatus.EXPORTED: frozenset({PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.RETURNED}),
    PaymentStatus.PAID: frozenset(),
    PaymentStatus.FAILED: frozenset(),
    PaymentStatus.RETURNED: frozenset(),
}
# a live payment holds its application: at most one per application (a partial unique constraint)
LIVE_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.EXPORTED, PaymentStatus.PAID)
# a payment the bank did not pay: staff may re-issue it as the next attempt
REISSUABLE_PAYMENT_STATUSES = (PaymentStatus.FAILED, PaymentStatus.RETURNED)


class RunKind(models.TextChoices):
    """The long operations of disbursement, run as tasks with their progress on a row (``DisbursementRun``)."""

    GENERATE = "generate", _("生成发放明细")
    RESULT_IMPORT = "result_import", _("导入银行回盘")


class ResultOutcome(models.TextChoices):
    """What the result import did with one row of the bank's file."""

    PAID = "paid", _("已到账")
    FAILED = "failed", _("发放失败")
    RETURNED = "returned", _("已退回")
    UNCHANGED = "unchanged", _("已记录，未变化")
    CONFLICT = "conflict", _("与已记录结果不符，未导入")
    UNKNOWN = "unknown", _("不是本批次的明细")
    INVALID = "invalid", _("格式错误，未导入")
