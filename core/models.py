from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import masking
from .choices import (
    AuditAction,
    DeadTaskStatus,
    DeliveryStatus,
    DivisionLevel,
    MessageChannel,
    MessageProvider,
    OutboxStatus,
    ScopeUnitKind,
)
from .scope import ScopedManager, ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Division(models.Model):
    """An administrative division of China: province, city, county (GB/T 2260) or town (9-digit code)."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "level"], name="division_parent_level")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=DivisionLevel.values), name="division_level_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class ScopeUnit(models.Model):
    """A unit that county staff, auditors and API clients are bound to: one of the city's counties
    (GB/T 2260), or a functional zone (开发区, 高新区) that city staff add because the city runs it as a
    county-level unit. Every scoped record points at one of these."""

    code = models.CharField(
        _("代码"),
        max_length=12,
        unique=True,
        help_text=_("县（市、区）用国标区划代码；功能区用市里编定的代码。"),
    )
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=ScopeUnitKind.choices)
    division = models.ForeignKey(
        Division,
        verbose_name=_("所在县级区划"),
        on_delete=models.PROTECT,
        related_name="scope_units",
        help_text=_("县（市、区）即其本身；功能区为其所在的县（市、区）。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("管辖单位")
        verbose_name_plural = _("管辖单位")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ScopeUnitKind.values), name="scopeunit_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.division_id and self.division.level != DivisionLevel.COUNTY:
            raise ValidationError({"division": _("请选择县级行政区划。")})


MONEY = {"max_digits": 10, "decimal_places": 2}


class MinimumWageTier(models.Model):
    """The provincial minimum wage of one tier (一类/二类/三类) from an effective date: a notice is a row."""

    tier = models.PositiveSmallIntegerField(_("档次"))
    monthly = models.DecimalField(_("月最低工资（元）"), **MONEY)
    hourly = models.DecimalField(_("小时最低工资（元）"), **MONEY)
    effective_from = models.DateField(_("执行日期"))
    notice = models.CharField(_("文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("最低工资标准")
        verbose_name_plural = _("最低工资标准")
        ordering = ["-effective_from", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "effective_from"], name="minwage_tier_date_unique")
        ]

    def __str__(self) -> str:
        return _("第%(t)s档 %(h)s元/小时（%(d)s起）") % {
            "t": self.tier,
            "h": self.hourly,
            "d": self.effective_from,
        }


class CountyWageTier(models.Model):
    """Which minimum-wage tier a county is in from a date, by GB/T 2260 code (so the province's notice can
    be loaded before the scope units exist). A functional zone uses its own row, else its county's."""

    county_code = models.CharField(_("县级区划代码"), max_length=12, db_index=True)
    tier = models.PositiveSmallIntegerField(_("档次"))
    effective_from = models.DateField(_("执行日期"))

    class Meta:
        verbose_name = _("县市区最低工资档次")
        verbose_name_plural = _("县市区最低工资档次")
        ordering = ["county_code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "effective_from"], name="countytier_code_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county_code} · {self.tier}"


class AuditLogQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit rows are immutable.")

    def delete(self):
        raise TypeError("Audit rows are deleted only by AuditLog.objects.purge_expired().")


class AuditLogManager(ScopedManager.from_queryset(AuditLogQuerySet)):
    def purge_expired(self, *, now=None) -> int:
        """Delete rows older than the retention period (never less than 184 days). Returns the count."""
        now = now or timezone.now()
        days = max(184, settings.LINGONG_AUDIT_RETENTION_DAYS)
        cutoff = now - timedelta(days=days)
        qs = models.QuerySet(self.model, using=self._db).filter(at__lt=cutoff)
        count, _ = qs.delete()
        return count


class AuditLog(models.Model):
    """One audited act: a staff change, a service-level state change, a reveal of personal data, a login
    success or failure. Append-only: readable by auditors in their scope, editable by nobody, kept at
    least 184 days. Personal data in ``before``/``after`` is stored masked."""

    scope_field = "scope_unit"

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人标识"), max_length=128, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=32, choices=AuditAction.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.SET_NULL
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("管辖单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("事由"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    objects = AuditLogManager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object")]
        permissions = [("reveal_personal_data", _("可在管辖范围内查看完整个人信息"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="auditlog_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit rows are deleted only by AuditLog.objects.purge_expired().")


class InboxMessage(models.Model):
    """A message in a person's in-site inbox (one of the notification channels)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="inbox"
    )
    body = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:40]


class TransitionEvent(models.Model):
    """Base of the per-workflow event rows (ADR 0003): one row per transition, written by the transition's
    service in the same transaction (``core.workflow.Workflow.move``). Subclasses add the subject,
    ``from_status``/``to_status`` with their workflow's choices, and ``reason``; ``subject_field`` names the
    subject for ``__str__``. ``on_behalf_of`` is the person a counter or staff member acted for."""

    subject_field = ""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{getattr(self, self.subject_field)}: {self.from_status} → {self.to_status}"


# --- delivery guarantees (ADR 0013) ------------------------------------------------------------------------


class Attempts(models.Model):
    """Base of the rows that something outside the database must act on and that are retried with backoff
    until it has: the task outbox, outbound messages, webhook deliveries. ``next_attempt_at`` is when the
    next try is due (a periodic scan picks up what is due); the row is itself the log of its attempts."""

    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True, db_index=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        abstract = True


class DeliveryLog(Attempts):
    """Base of one outbound message to one recipient (SMS, WeChat, inbox, webhook) and its attempts."""

    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        abstract = True


class OutboxMessage(Attempts):
    """A Celery task to run, written in the transaction of the change that asked for it (the transactional
    outbox): the relay publishes committed rows to the broker and marks them sent; while the broker is down
    they wait here and are retried with backoff. The idempotency key is the Celery task id, so a row
    published twice is one task to the effects that check it."""

    task = models.CharField(_("任务"), max_length=200)
    kwargs = models.JSONField(_("参数"), default=dict, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    sent_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务发件箱")
        verbose_name_plural = _("任务发件箱")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OutboxStatus.values), name="outbox_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} [{self.get_status_display()}]"


class MessageDelivery(DeliveryLog):
    """One outbound message (SMS, WeChat subscription message, in-site inbox) to one recipient. Its
    idempotency key is unique and checked before sending, so a task that runs twice sends once; the key
    names what the message is about (``smscode:<id>``, ``posting:<id>:match:<user>:sms``) where the sender
    knows it, else it is the row's own."""

    personal_fields = {"recipient": masking.PHONE}  # a mobile number for SMS (a user id for the others)

    channel = models.CharField(_("渠道"), max_length=16, choices=MessageChannel.choices)
    recipient = models.CharField(_("接收方"), max_length=64)
    body = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=200, blank=True)
    sensitive = models.BooleanField(
        _("含验证码"), default=False, help_text=_("内容在送达或取消后清除，后台不显示。")
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=120, unique=True)
    template = models.CharField(
        _("消息模板"),
        max_length=40,
        blank=True,
        help_text=_("模板代码，见“消息模板”；为空时用通用通知模板。"),
    )
    params = models.JSONField(_("模板参数"), default=dict, blank=True)
    provider = models.CharField(_("服务商"), max_length=16, choices=MessageProvider.choices, blank=True)
    provider_message_id = models.CharField(_("服务商消息编号"), max_length=100, blank=True)
    provider_receipt = models.CharField(_("服务商回执"), max_length=100, blank=True)
    outbox = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("发件箱任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="messagedelivery_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=MessageChannel.values), name="messagedelivery_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_status_display()}"


class MessageTemplate(TimeStampedModel):
    """One of our message templates (``login_code``, ``notice``) as one provider has approved it: the
    provider's template id, the sign name and the parameters in the order the provider's template takes
    them. Data, not code: staff add a provider's approved template here; only approved, active rows are
    sent (an SMS whose template has no approved row for the chosen provider fails and is recorded)."""

    code = models.CharField(_("模板代码"), max_length=40, help_text=_("例如 login_code、notice。"))
    provider = models.CharField(_("服务商"), max_length=16, choices=MessageProvider.choices)
    template_id = models.CharField(_("服务商模板编号"), max_length=64)
    sign_name = models.CharField(_("短信签名"), max_length=40, blank=True)
    param_names = models.JSONField(
        _("参数（按顺序）"),
        default=list,
        blank=True,
        help_text=_('我方参数名，按服务商模板中的顺序，例如 ["code", "minutes"]。'),
    )
    provider_keys = models.JSONField(
        _("服务商参数名"),
        default=list,
        blank=True,
        help_text=_("服务商模板里的变量名（阿里云、微信按名取值），与上面逐一对应；为空时与我方参数名相同。"),
    )
    approved = models.BooleanField(_("已通过服务商审核"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("模板内容/说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        ordering = ["code", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["code", "provider"], name="messagetemplate_code_provider_unique"),
            models.CheckConstraint(
                condition=models.Q(provider__in=MessageProvider.values), name="messagetemplate_provider_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.get_provider_display()}"

    def clean(self):
        super().clean()
        if not isinstance(self.param_names, list) or not all(isinstance(n, str) for n in self.param_names):
            raise ValidationError({"param_names": _('请填写参数名列表，例如 ["code", "minutes"]。')})
        if self.provider_keys and (
            not isinstance(self.provider_keys, list) or len(self.provider_keys) != len(self.param_names)
        ):
            raise ValidationError({"provider_keys": _("服务商参数名须与参数逐一对应。")})

    def keys(self) -> list[str]:
        return list(self.provider_keys or self.param_names)

    def ordered_values(self, params: dict) -> list[str]:
        return [str(params.get(name, "")) for name in self.param_names]

    def named_values(self, params: dict) -> dict[str, str]:
        return dict(zip(self.keys(), self.ordered_values(params), strict=True))


class DeadTask(models.Model):
    """A task that failed for good: a non-retried error, or retries of a database or outside error used up.
    Staff see it in the admin and may retry it (a new outbox row, audited) or dismiss it."""

    task = models.CharField(_("任务"), max_length=200, db_index=True)
    task_id = models.CharField(_("任务编号"), max_length=64, db_index=True)
    kwargs = models.JSONField(_("参数"), default=dict, blank=True)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    exception = models.CharField(_("错误"), max_length=300)
    traceback = models.TextField(_("错误详情"), blank=True)
    retries = models.PositiveIntegerField(_("已重试次数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeadTaskStatus.choices, default=DeadTaskStatus.DEAD
    )
    failed_at = models.DateTimeField(_("失败时间"), default=timezone.now, db_index=True)
    retry = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("重试任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("失败任务")
        verbose_name_plural = _("失败任务")
        ordering = ["-failed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeadTaskStatus.values), name="deadtask_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.failed_at:%Y-%m-%d %H:%M}"


class DeadTaskEvent(TransitionEvent):
    """One step of a dead task: retried or dismissed by staff."""

    subject_field = "dead_task"

    dead_task = models.ForeignKey(
        DeadTask, verbose_name=_("失败任务"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=DeadTaskStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=DeadTaskStatus.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("失败任务处理记录")
        verbose_name_plural = _("失败任务处理记录")


class CalendarDay(models.Model):
    """A date that differs from the Monday–Friday working week: a public holiday (放假) or a make-up working
    day (调休上班) of the State Council's yearly notice. Seeded from ``chinese-calendar`` for every year it
    covers; staff add a new year's notice in the admin. ``core.calendar`` reads it."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否上班"))
    name = models.CharField(_("节日或说明"), max_length=50, blank=True)
    source = models.CharField(
        _("依据"), max_length=120, blank=True, help_text=_("例：国务院办公厅关于某年部分节假日安排的通知")
    )

    class Meta:
        verbose_name = _("节假日和调休")
        verbose_name_plural = _("节假日和调休")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
