from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import masking
from core.models import DeliveryLog, Division, ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow

from .choices import (
    INSPECTION_TRANSITIONS,
    MARKET_TRANSITIONS,
    PLATFORM_TRANSITIONS,
    FindingResult,
    MarketKind,
    MarketStatus,
    NoticeKind,
    OperatingModel,
    PlatformKind,
    PlatformStatus,
    RiskAction,
    RiskGrade,
)


class Facility(models.Model):
    """An item of the facilities standard (rain shelter, parking, information board …) that staff keep.
    ``is_standard`` items make up the standard a market is measured against."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_standard = models.BooleanField(_("属于建设标准"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("设施标准项")
        verbose_name_plural = _("设施标准项")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (the standard's names are marked in ``choices.FACILITY_NAMES``;
        an item staff add shows as they wrote it)."""
        return gettext(self.name)


class MarketQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(operator_links__user=user)

    def public(self):
        """What the public map, feed and list show: operating markets only."""
        return self.filter(status=MarketStatus.OPERATING)

    def open_at(self, moment: dt.datetime):
        local = timezone.localtime(moment)
        now, weekday = local.time(), str(local.isoweekday())
        same_day = Q(opens_at__lte=F("closes_at")) & Q(opens_at__lte=now, closes_at__gt=now)
        overnight = Q(opens_at__gt=F("closes_at")) & (Q(opens_at__lte=now) | Q(closes_at__gt=now))
        return self.filter(open_days__contains=weekday).filter(same_day | overnight)


# What staff edit on a market's public profile (the profile service and the admin), and the part of it that
# the market's own operator may change (the service, the operator's form).
MARKET_PROFILE_FIELDS = (
    "name",
    "address",
    "transit",
    "opens_at",
    "closes_at",
    "open_days",
    "capacity",
    "services",
    "hotline",
    "complaint_channel",
    "description",
    "operator_contact",
    "operator_contact_phone",
)
# What a market's own operator may change; name, address, location and status are the county's.
MARKET_OPERATOR_FIELDS = (
    "opens_at",
    "closes_at",
    "open_days",
    "capacity",
    "services",
    "hotline",
    "complaint_channel",
    "transit",
    "description",
    "operator_contact",
    "operator_contact_phone",
)


class Market(TimeStampedModel):
    """A physical gig market where workers gather: a comprehensive or trade market, or a small station
    (零工驿站). Run by the bureau, a public employment office corner, or an operator the government buys
    services from. Only operating markets are on the public map."""

    scope_field = "scope_unit"
    personal_fields = {"operator_contact_phone": masking.PHONE}

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=MarketKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=MarketStatus.choices, default=MarketStatus.PLANNED
    )
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="markets"
    )
    town = models.ForeignKey(
        Division,
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"level": "town"},
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=200)
    lat = models.FloatField(_("纬度（WGS-84）"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("经度（WGS-84）"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    transit = models.CharField(
        _("交通指引"), max_length=300, blank=True, help_text=_("例如：乘5路公交到人民广场站下车向北200米。")
    )
    operating_model = models.CharField(_("运营模式"), max_length=24, choices=OperatingModel.choices)
    operator_name = models.CharField(_("运营单位"), max_length=128, blank=True)
    operator_contact = models.CharField(_("运营联系人"), max_length=64, blank=True)
    operator_contact_phone = models.CharField(_("联系人电话"), max_length=20, blank=True)
    contract_start = models.DateField(_("委托运营起"), null=True, blank=True)
    contract_end = models.DateField(_("委托运营止"), null=True, blank=True)
    opens_at = models.TimeField(_("开市时间"), default=dt.time(5, 0))
    closes_at = models.TimeField(_("闭市时间"), default=dt.time(11, 0))
    open_days = models.CharField(_("开放日"), max_length=7, default="1234567", help_text=_("1=周一 … 7=周日"))
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)
    services = models.TextField(
        _("服务内容"), blank=True, help_text=_("岗位发布、职业介绍、政策咨询、技能培训报名等。")
    )
    hotline = models.CharField(_("服务电话"), max_length=32)
    complaint_channel = models.CharField(
        _("投诉渠道"), max_length=200, help_text=_("例如：12333 或 市场服务台。")
    )
    description = models.TextField(_("简介"), blank=True)
    facilities = models.ManyToManyField(
        Facility, verbose_name=_("已具备设施"), blank=True, related_name="markets"
    )
    risk_grade = models.CharField(_("风险等级"), max_length=8, choices=RiskGrade.choices, blank=True)

    objects = MarketQuerySet.as_manager()

    class Meta:
        verbose_name = _("零工市场")
        verbose_name_plural = _("零工市场")
        ordering = ["scope_unit__code", "name"]
        indexes = [
            models.Index(fields=["status", "scope_unit"], name="market_status_unit"),
            models.Index(fields=["lat", "lng"], name="market_lat_lng"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MarketStatus.values), name="market_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=MarketKind.values), name="market_kind_valid"),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="market_coords_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == MarketStatus.OPERATING

    def is_open_at(self, moment: dt.datetime) -> bool:
        local = timezone.localtime(moment)
        if str(local.isoweekday()) not in self.open_days:
            return False
        now = local.time()
        if self.opens_at <= self.closes_at:
            return self.opens_at <= now < self.closes_at
        return now >= self.opens_at or now < self.closes_at

    @property
    def open_days_display(self) -> str:
        from .choices import WEEKDAYS

        if self.open_days == "1234567":
            return str(_("每天"))
        names = dict(WEEKDAYS)
        return gettext("、").join(str(names[d]) for d in self.open_days if d in names)


class MarketOperator(models.Model):
    """Binds a user with the market-operator role to the market they run (their counter staff too)."""

    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.CASCADE, related_name="operator_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="operated_markets",
    )
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("市场运营人员")
        verbose_name_plural = _("市场运营人员")
        constraints = [models.UniqueConstraint(fields=["market", "user"], name="marketoperator_unique")]

    def __str__(self) -> str:
        return f"{self.market} · {self.user}"


class MarketPhoto(models.Model):
    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="markets/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("市场照片")
        verbose_name_plural = _("市场照片")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class MarketEvent(TransitionEvent):
    """One status transition of a market, written in the same transaction as the change."""

    subject_field = "market"

    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=MarketStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=MarketStatus.choices)
    reason = models.TextField(_("原因"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("市场状态记录")
        verbose_name_plural = _("市场状态记录")


class PublicNoticeQuerySet(ScopedQuerySet):
    def current(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(starts_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


class PublicNotice(TimeStampedModel):
    """A public announcement that tells workers not to go to a market (suspension, ban, closure) or that
    markets stop for weather (heat, storms), and where to go instead."""

    scope_field = "scope_unit"

    scope_unit = models.ForeignKey(ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT)
    market = models.ForeignKey(
        Market,
        verbose_name=_("市场"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    reason = models.CharField(_("原因（简要）"), max_length=300)
    alternative = models.CharField(_("可前往"), max_length=300, blank=True, help_text=_("请前往哪里找活。"))
    alternative_market = models.ForeignKey(
        Market, verbose_name=_("替代市场"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PublicNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("市场公告")
        verbose_name_plural = _("市场公告")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NoticeKind.values), name="notice_kind_valid")
        ]

    def __str__(self) -> str:
        return self.title


class OnlinePlatform(TimeStampedModel):
    """An online gig platform (website, mini program, app) run by an enterprise or HR agency and brought
    into public employment services after review. Approved ones are listed to the public."""

    scope_field = "scope_unit"

    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="online_platforms"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("形式"), max_length=20, choices=PlatformKind.choices)
    operator_name = models.CharField(_("运营单位"), max_length=128)
    operator_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    url = models.URLField(_("网址或入口"), blank=True)
    qr_code = models.ImageField(_("二维码"), upload_to="platforms/", blank=True)
    offers_publishing = models.BooleanField(_("岗位发布"), default=True)
    offers_matching = models.BooleanField(_("供需匹配"), default=False)
    offers_payment = models.BooleanField(_("线上支付劳务费"), default=False)
    hotline = models.CharField(_("服务电话"), max_length=32, blank=True)
    description = models.TextField(_("简介"), blank=True)
    status = models.CharField(
        _("审核状态"), max_length=16, choices=PlatformStatus.choices, default=PlatformStatus.PENDING
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("线上零工平台")
        verbose_name_plural = _("线上零工平台")
        ordering = ["scope_unit__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PlatformStatus.values), name="platform_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlatformEvent(TransitionEvent):
    subject_field = "platform"

    platform = models.ForeignKey(
        OnlinePlatform, verbose_name=_("平台"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=PlatformStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=PlatformStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("平台审核记录")
        verbose_name_plural = _("平台审核记录")


class InspectionItem(models.Model):
    """An item inspectors check (fire exits, crowding, traffic, electrics …). ``critical`` items concern
    personal safety: a serious finding on one makes the market high-risk (see markets.risk)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("检查项"), max_length=100)
    description = models.CharField(_("检查要点"), max_length=300, blank=True)
    critical = models.BooleanField(_("涉及人身安全"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("安全检查项")
        verbose_name_plural = _("安全检查项")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class InspectionQuerySet(ScopedQuerySet):
    def overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(action=RiskAction.RECTIFY, rectified_at__isnull=True, rectify_deadline__lt=today)

    def awaiting_action(self):
        return self.filter(risk_grade=RiskGrade.HIGH, action=RiskAction.NONE)


class Inspection(TimeStampedModel):
    """A safety inspection of a market: findings per checklist item, hazards and photos. The risk grade
    follows from the findings by the rules in markets.risk; a high grade asks staff to act."""

    scope_field = "market__scope_unit"

    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField(_("检查日期"), default=timezone.localdate)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    inspector_names = models.CharField(_("检查人员"), max_length=200, blank=True)
    hazards = models.TextField(_("发现的隐患"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    risk_grade = models.CharField(_("风险等级"), max_length=8, choices=RiskGrade.choices, blank=True)
    action = models.CharField(
        _("处置"), max_length=16, choices=RiskAction.choices, blank=True, default=RiskAction.NONE
    )
    action_reason = models.CharField(_("处置说明"), max_length=300, blank=True)
    rectify_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成"), null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action=RiskAction.RECTIFY) | Q(rectify_deadline__isnull=False),
                name="inspection_rectify_has_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.inspected_on}"

    @property
    def needs_action(self) -> bool:
        return self.risk_grade == RiskGrade.HIGH and not self.action

    @property
    def is_overdue(self) -> bool:
        return (
            self.action == RiskAction.RECTIFY
            and self.rectified_at is None
            and self.rectify_deadline is not None
            and self.rectify_deadline < timezone.localdate()
        )


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(InspectionItem, verbose_name=_("检查项"), on_delete=models.PROTECT)
    result = models.CharField(
        _("结果"), max_length=8, choices=FindingResult.choices, default=FindingResult.PASS
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="finding_unique_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_result_display()}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="inspections/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")

    def __str__(self) -> str:
        return self.caption or self.image.name


class MapSnapshot(models.Model):
    """A published version of the public market map: the GeoJSON body exactly as served, with its ETag."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    etag = models.CharField(max_length=64)
    body = models.TextField()
    feature_count = models.PositiveIntegerField(_("市场数"))
    built_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("地图发布版本")
        verbose_name_plural = _("地图发布版本")
        ordering = ["-version"]
        get_latest_by = "version"

    def __str__(self) -> str:
        return f"v{self.version} ({self.feature_count})"


class MapPublishState(models.Model):
    """The debounce state of map publishing (one row): edits mark it dirty; the periodic publisher
    publishes once the edits have been quiet for a while."""

    dirty = models.BooleanField(default=False)
    changed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("地图发布状态")
        verbose_name_plural = _("地图发布状态")

    def __str__(self) -> str:
        return f"dirty={self.dirty}"


class WebhookSubscriber(TimeStampedModel):
    """A system told when the map is republished (the bureau website, the public-account backend),
    by a POST signed with HMAC-SHA256 over the timestamp and body."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("回调地址"))
    secret = models.CharField(_("签名密钥"), max_length=128)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("地图更新订阅方")
        verbose_name_plural = _("地图更新订阅方")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(DeliveryLog):
    """One notification to one subscriber, with its attempts (``core.models.DeliveryLog``, the shape of every
    outbound message's row). Retried with backoff by a periodic scan; the row's id is the
    ``X-Lingong-Delivery`` header, by which a subscriber recognises a delivery it has had."""

    subscriber = models.ForeignKey(
        WebhookSubscriber, verbose_name=_("订阅方"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("事件"), max_length=64)
    body = models.TextField(_("内容"))
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subscriber} {self.event} {self.get_status_display()}"


class InspectionEvent(TransitionEvent):
    """One step of an inspection's disposition (decided: rectify, suspend, ban; rectified)."""

    subject_field = "inspection"

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原处置"), max_length=16, choices=RiskAction.choices, blank=True)
    to_status = models.CharField(_("新处置"), max_length=16, choices=RiskAction.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("检查处置记录")
        verbose_name_plural = _("检查处置记录")


MARKET_WORKFLOW = Workflow(model=Market, table=MARKET_TRANSITIONS, event_model=MarketEvent, subject="market")
PLATFORM_WORKFLOW = Workflow(
    model=OnlinePlatform, table=PLATFORM_TRANSITIONS, event_model=PlatformEvent, subject="platform"
)
INSPECTION_WORKFLOW = Workflow(
    model=Inspection,
    table=INSPECTION_TRANSITIONS,
    event_model=InspectionEvent,
    subject="inspection",
    field="action",
)


class DirectorySnapshot(models.Model):
    """The quarterly directory (名录) as it was published: markets and approved online platforms. The current
    quarter's row is refreshed daily; once a quarter is over its row is never written again, so a past
    quarter's directory is what was published then, not today's rows."""

    quarter = models.CharField(_("季度"), max_length=6, unique=True)  # "2026Q4"
    body = models.JSONField(_("名录内容"))  # {"markets": {"headers", "rows"}, "platforms": {...}}
    market_count = models.PositiveIntegerField(_("市场数"), default=0)
    platform_count = models.PositiveIntegerField(_("线上平台数"), default=0)
    first_published_at = models.DateTimeField(_("首次发布"), default=timezone.now)
    published_at = models.DateTimeField(_("最近更新"), default=timezone.now)

    class Meta:
        verbose_name = _("名录快照")
        verbose_name_plural = _("名录快照")
        ordering = ["-quarter"]

    def __str__(self) -> str:
        return self.quarter
