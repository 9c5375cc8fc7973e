from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # A refunded online payment leaves the order owed again (ADR 0018): approved, to be paid anew.
    WorkOrderStatus.SETTLED: frozenset({WorkOrderStatus.APPROVED}),
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
    WECHATPAY = "wechatpay", _("微信支付")
    ALIPAY = "alipay", _("支付宝")


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


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("退款处理中")
    SUCCEEDED = "succeeded", _("退款成功")
    FAILED = "failed", _("退款失败")


# A refund of a succeeded online payment (whole amount): the provider answers at once or later (WeChat Pay's
# refunds are asynchronous: its notification or the reconciliation query settles them).
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUCCEEDED: frozenset(),
    RefundStatus.FAILED: frozenset(),
}


class RatingDirection(models.TextChoices):
    EMPLOYER_TO_WORKER = "employer_to_worker", _("用工方评价劳动者")
    WORKER_TO_EMPLOYER = "worker_to_employer", _("劳动者评价用工方")


class AppealOutcome(models.TextChoices):
    NONE = "", _("未申诉")
    PENDING = "pending", _("申诉处理中")
    UPHELD = "upheld", _("评价维持")
    REMOVED = "removed", _("评价已撤销")


# A rating's appeal (Rating.appeal_outcome): once, by the rated party; decided by county staff.
APPEAL_TRANSITIONS: dict[str, frozenset[str]] = {
    AppealOutcome.NONE: frozenset({AppealOutcome.PENDING}),
    AppealOutcome.PENDING: frozenset({AppealOutcome.UPHELD, AppealOutcome.REMOVED}),
    AppealOutcome.UPHELD: frozenset(),
    AppealOutcome.REMOVED: frozenset(),
}
