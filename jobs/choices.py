from django.db import models
from django.utils.translation import gettext_lazy as _


class WageUnit(models.TextChoices):
    HOUR = "hour", _("元/小时")
    DAY = "day", _("元/天")
    PIECE = "piece", _("元/件")
    JOB = "job", _("元/单（整活）")


class Settlement(models.TextChoices):
    DAILY = "daily", _("日结")
    ON_COMPLETION = "on_completion", _("完工结")
    WEEKLY = "weekly", _("周结")


class SkillLevel(models.TextChoices):
    BEGINNER = "beginner", _("学徒/初级")
    SKILLED = "skilled", _("熟练")
    EXPERT = "expert", _("高级/技师")


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("可以打电话")
    SMS = "sms", _("只发短信")
    PLATFORM = "platform", _("只在平台内联系")


class EmployerKind(models.TextChoices):
    PERSON = "person", _("个人或家庭")
    ORGANIZATION = "organization", _("企业或单位")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("未通过")


class PostingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING_REVIEW = "pending_review", _("待审核")
    PUBLISHED = "published", _("招聘中")
    FILLED = "filled", _("已招满")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


POSTING_TRANSITIONS: dict[str, frozenset[str]] = {
    PostingStatus.DRAFT: frozenset({PostingStatus.PENDING_REVIEW}),
    PostingStatus.PENDING_REVIEW: frozenset({PostingStatus.PUBLISHED, PostingStatus.DRAFT}),
    PostingStatus.PUBLISHED: frozenset({PostingStatus.FILLED, PostingStatus.CLOSED, PostingStatus.EXPIRED}),
    PostingStatus.FILLED: frozenset({PostingStatus.PUBLISHED, PostingStatus.CLOSED, PostingStatus.EXPIRED}),
    PostingStatus.CLOSED: frozenset(),
    PostingStatus.EXPIRED: frozenset(),
}


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已报名")
    ACCEPTED = "accepted", _("已录用")
    REJECTED = "rejected", _("未录用")
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.APPLIED: frozenset(
        {ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.ACCEPTED: frozenset({ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


class ApplicationSource(models.TextChoices):
    SELF = "self", _("本人报名")
    REFERRAL = "referral", _("职业介绍")
    COUNTER = "counter", _("服务台代办")


class ReportReason(models.TextChoices):
    FEE = "fee", _("收费或押金")
    DISCRIMINATION = "discrimination", _("就业歧视")
    SCAM = "scam", _("疑似诈骗")
    FALSE = "false", _("信息不实")
    OTHER = "other", _("其他")


class FairKind(models.TextChoices):
    DAY = "day", _("集市")
    NIGHT = "night", _("夜市")


WEEKDAYS = [
    ("1", _("周一")),
    ("2", _("周二")),
    ("3", _("周三")),
    ("4", _("周四")),
    ("5", _("周五")),
    ("6", _("周六")),
    ("7", _("周日")),
]


class WorkOrderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    CHECKED_IN = "checked_in", _("已签到")
    CHECKED_OUT = "checked_out", _("已签退")
    APPROVED = "approved", _("已确认工时")
    SETTLED = "settled", _("已结算")
    NO_SHOW = "no_show", _("未到岗")
    CANCELLED = "cancelled", _("已取消")
    DISPUTED = "disputed", _("有争议")


WORK_ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    WorkOrderStatus.SCHEDULED: frozenset(
        {WorkOrderStatus.CONFIRMED, WorkOrderStatus.CANCELLED, WorkOrderStatus.NO_SHOW}
    ),
    WorkOrderStatus.CONFIRMED: frozenset(
        {WorkOrderStatus.CHECKED_IN, WorkOrderStatus.CANCELLED, WorkOrderStatus.NO_SHOW}
    ),
    WorkOrderStatus.CHECKED_IN: frozenset({WorkOrderStatus.CHECKED_OUT}),
    WorkOrderStatus.CHECKED_OUT: frozenset({WorkOrderStatus.APPROVED, WorkOrderStatus.DISPUTED}),
    WorkOrderStatus.APPROVED: frozenset({WorkOrderStatus.SETTLED, WorkOrderStatus.DISPUTED}),
    WorkOrderStatus.SETTLED: frozenset(),
    WorkOrderStatus.NO_SHOW: frozenset(),
    WorkOrderStatus.CANCELLED: frozenset(),
    WorkOrderStatus.DISPUTED: frozenset(),
}


class CheckMethod(models.TextChoices):
    GPS = "gps", _("手机定位")
    QR = "qr", _("扫码")
    COUNTER = "counter", _("服务台代签")
    EMPLOYER = "employer", _("用工方记录")


class CancelledBy(models.TextChoices):
    WORKER = "worker", _("劳动者")
    EMPLOYER = "employer", _("用工方")
    STAFF = "staff", _("工作人员")


class PaymentBackend(models.TextChoices):
    OFFLINE = "offline", _("线下转账")
    SANDBOX = "sandbox", _("在线支付（沙箱）")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    BANK = "bank", _("银行转账")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    ONLINE = "online", _("在线支付")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("处理中")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败")
    REFUNDED = "refunded", _("已退款")


PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
    PaymentStatus.SUCCEEDED: frozenset({PaymentStatus.REFUNDED}),
    PaymentStatus.FAILED: frozenset(),
    PaymentStatus.REFUNDED: frozenset(),
}


class RatingDirection(models.TextChoices):
    EMPLOYER_TO_WORKER = "employer_to_worker", _("用工方评价劳动者")
    WORKER_TO_EMPLOYER = "worker_to_employer", _("劳动者评价用工方")


class AppealOutcome(models.TextChoices):
    NONE = "", _("未申诉")
    PENDING = "pending", _("申诉处理中")
    UPHELD = "upheld", _("评价维持")
    REMOVED = "removed", _("评价已撤销")


class GuidanceStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
