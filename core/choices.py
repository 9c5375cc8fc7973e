from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
    TOWN = "town", _("乡级")


class ScopeUnitKind(models.TextChoices):
    COUNTY = "county", _("县（市、区）")
    ZONE = "zone", _("功能区")


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    REVEAL = "reveal", _("查看完整个人信息")
    EXPORT = "export", _("导出")
    LOGIN_SUCCESS = "login_success", _("登录成功")
    LOGIN_FAILURE = "login_failure", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    ASSISTED = "assisted", _("代办")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发布")
    SENT = "sent", _("已发布")


class DeliveryStatus(models.TextChoices):
    """The status of one outbound message (an SMS, a WeChat or inbox message, a webhook POST)."""

    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败（已停止重试）")
    CANCELLED = "cancelled", _("已取消")


class MessageChannel(models.TextChoices):
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信订阅消息")
    INBOX = "inbox", _("站内消息")


class MessageProvider(models.TextChoices):
    """Who carries a message: the SMS providers (one is chosen by ``LINGONG_SMS_PROVIDER``) and WeChat."""

    TENCENT = "tencent", _("腾讯云短信")
    ALIYUN = "aliyun", _("阿里云短信")
    GATEWAY = "gateway", _("政务短信平台")
    CONSOLE = "console", _("控制台（开发用）")
    WECHAT = "wechat", _("微信公众号订阅通知")


class DeadTaskStatus(models.TextChoices):
    DEAD = "dead", _("待处理")
    RETRIED = "retried", _("已重试")
    DISMISSED = "dismissed", _("已忽略")


DEAD_TASK_TRANSITIONS = {
    DeadTaskStatus.DEAD: {DeadTaskStatus.RETRIED, DeadTaskStatus.DISMISSED},
    DeadTaskStatus.RETRIED: set(),
    DeadTaskStatus.DISMISSED: set(),
}
