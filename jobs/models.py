from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core import masking
from core.models import Division, ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from markets.models import Market

from .choices import (
    ApplicationSource,
    ApplicationStatus,
    ContactPreference,
    EmployerKind,
    FairKind,
    PostingStatus,
    ReportReason,
    Settlement,
    SkillLevel,
    VerificationStatus,
    WageUnit,
)

MONEY = {"max_digits": 10, "decimal_places": 2}
RATE = {"max_digits": 12, "decimal_places": 4}


class Occupation(models.Model):
    """A gig occupation (工种) in a two-level taxonomy that staff keep: a category (parent is empty) and
    its occupations. ``licensed`` marks special operations (特种作业) that need a certificate on record;
    ``minors_forbidden`` keeps workers under 18 away (licensed ones always)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    licensed = models.BooleanField(_("特种作业（须持证）"), default=False)
    minors_forbidden = models.BooleanField(_("未成年人禁止"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("工种")
        verbose_name_plural = _("工种")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def closed_to_minors(self) -> bool:
        return self.licensed or self.minors_forbidden


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


class WorkerProfileQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(user=user)


class WorkerProfile(TimeStampedModel):
    """Job-seeker registration (求职登记): what a worker can do, where and when, and for how much.
    Identity (name, resident ID) stays in accounts."""

    scope_field = "user__scope_unit"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="worker_profile",
    )
    preferred_units = models.ManyToManyField(
        ScopeUnit, verbose_name=_("希望工作的县（市、区）"), blank=True, related_name="+"
    )
    home_lat = models.FloatField(_("常住地纬度"), null=True, blank=True)
    home_lng = models.FloatField(_("常住地经度"), null=True, blank=True)
    max_distance_km = models.PositiveSmallIntegerField(
        _("最远通勤（公里）"), default=15, validators=[MaxValueValidator(200)]
    )
    available_days = models.CharField(_("可工作日"), max_length=7, default="1234567")
    available_from = models.TimeField(_("可工作时间起"), default=dt.time(6, 0))
    available_to = models.TimeField(_("可工作时间止"), default=dt.time(18, 0))
    expected_wage = models.DecimalField(_("期望工资"), **RATE, null=True, blank=True)
    expected_unit = models.CharField(
        _("工资单位"), max_length=8, choices=WageUnit.choices, default=WageUnit.DAY
    )
    contact_preference = models.CharField(
        _("联系方式偏好"), max_length=12, choices=ContactPreference.choices, default=ContactPreference.PHONE
    )
    notify_sms = models.BooleanField(_("短信通知"), default=True)
    notify_wechat = models.BooleanField(_("微信订阅消息"), default=False)
    notify_inbox = models.BooleanField(_("站内消息"), default=True)
    # The worker's record, kept by jobs.matching.refresh_worker_records whenever a work order reaches or leaves
    # an outcome or an employer's rating changes (and nightly): matching reads it instead of counting.
    reliability = models.FloatField(
        _("完工率"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("最近50个有结果的用工单中完工的比例。"),
    )
    rating = models.FloatField(_("平均评分"), null=True, blank=True, editable=False)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("在服务台由工作人员代为登记时记录。"),
    )

    objects = WorkerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("求职登记")
        verbose_name_plural = _("求职登记")
        indexes = [
            models.Index(fields=["home_lat", "home_lng"], name="workerprofile_home"),
            # the largest reach any worker has set bounds the nearest-first candidate scan (jobs.matching)
            models.Index(fields=["max_distance_km"], name="workerprofile_reach"),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def expected_daily(self) -> Decimal | None:
        """The expectation as a daily wage; unknown (None) for piece or job rates."""
        if self.expected_wage is None or self.expected_unit in (WageUnit.PIECE, WageUnit.JOB):
            return None
        if self.expected_unit == WageUnit.HOUR:
            return (self.expected_wage * 8).quantize(Decimal("0.01"))
        return self.expected_wage.quantize(Decimal("0.01"))


class WorkerSkill(models.Model):
    profile = models.ForeignKey(
        WorkerProfile, verbose_name=_("求职登记"), on_delete=models.CASCADE, related_name="skills"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("工种"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("水平"), max_length=12, choices=SkillLevel.choices, default=SkillLevel.SKILLED)
    years = models.PositiveSmallIntegerField(_("从业年限"), default=0)

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        constraints = [models.UniqueConstraint(fields=["profile", "occupation"], name="workerskill_unique")]

    def __str__(self) -> str:
        return f"{self.occupation} · {self.get_level_display()}"


class Certificate(models.Model):
    """A certificate on record (特种作业操作证, 职业资格证书 …): number, issuer, expiry."""

    profile = models.ForeignKey(
        WorkerProfile, verbose_name=_("求职登记"), on_delete=models.CASCADE, related_name="certificates"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("对应工种"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("证书名称"), max_length=100)
    number = models.CharField(_("证书编号"), max_length=64)
    issuer = models.CharField(_("发证机关"), max_length=100)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    def valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class EmployerProfileQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(user=user)


class EmployerProfile(TimeStampedModel):
    """Employer registration (用工登记): a household, individual or organization that hires. Staff approve
    it before its first posting goes live; trusted employers' postings may skip review (a setting)."""

    scope_field = "scope_unit"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="employer_profile",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=EmployerKind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    display_name = models.CharField(_("对外名称"), max_length=100)
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("审核状态"), max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    trusted = models.BooleanField(_("信用良好（岗位免审）"), default=False)

    objects = EmployerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("用工登记")
        verbose_name_plural = _("用工登记")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VerificationStatus.values), name="employer_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class PostingQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(employer__user=user)

    def open(self, today: dt.date | None = None):
        """Published and not past its last work date — open even before the expiry scan has run."""
        today = today or timezone.localdate()
        return self.filter(status=PostingStatus.PUBLISHED, work_end_date__gte=today)


class Posting(TimeStampedModel):
    """A job posting: what, where, when, how many and for how much. Reviewed before it is published; the
    contact is shown only to accepted applicants."""

    scope_field = "scope_unit"
    personal_fields = {"contact_phone": masking.PHONE}

    employer = models.ForeignKey(
        EmployerProfile, verbose_name=_("用工方"), on_delete=models.PROTECT, related_name="postings"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("工种"), on_delete=models.PROTECT, related_name="postings"
    )
    title = models.CharField(_("标题"), max_length=60)
    description = models.TextField(_("工作内容"), max_length=2000)
    requirements = models.TextField(_("要求"), max_length=1000, blank=True)
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="postings"
    )
    town = models.ForeignKey(
        Division,
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("工作地点"), max_length=200)
    lat = models.FloatField(_("纬度"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("经度"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    market = models.ForeignKey(
        Market,
        verbose_name=_("所在零工市场"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="postings",
    )
    work_start_date = models.DateField(_("开工日期"))
    work_end_date = models.DateField(_("结束日期"))
    start_time = models.TimeField(_("上班时间"), default=dt.time(7, 0))
    end_time = models.TimeField(_("下班时间"), default=dt.time(17, 0))
    headcount = models.PositiveSmallIntegerField(
        _("招聘人数"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    wage_amount = models.DecimalField(_("工资"), **RATE)
    wage_unit = models.CharField(_("工资单位"), max_length=8, choices=WageUnit.choices)
    estimated_daily_wage = models.DecimalField(
        _("预计折合日收入"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("按件或按单计酬时必填：一个熟练工一天（8小时）大约能挣多少，用于最低工资核对和筛选。"),
    )
    daily_wage = models.DecimalField(
        _("折合日工资"), **MONEY, help_text=_("按设计规则折算，用于筛选和最低工资核对。")
    )
    settlement = models.CharField(_("结算方式"), max_length=16, choices=Settlement.choices)
    contact_name = models.CharField(_("联系人"), max_length=40)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=16, choices=PostingStatus.choices, default=PostingStatus.DRAFT
    )
    screen_flags = models.JSONField(_("审核提示"), default=list, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    accepted_count = models.PositiveSmallIntegerField(_("已录用"), default=0)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    search_tokens = models.TextField(_("检索词元"), blank=True, editable=False)

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("招聘信息")
        verbose_name_plural = _("招聘信息")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "work_end_date"], name="posting_open"),
            models.Index(fields=["lat", "lng"], name="posting_lat_lng"),
            models.Index(fields=["occupation", "status"], name="posting_occupation"),
            # The search's hot path (issue 6), an occupation near a point among published postings, has a
            # covering index on PostgreSQL (jobs migration 0016: posting_published_occ_geo_cover).
            # …and anything near a point among published postings (keyword searches, the map, the boards).
            models.Index(
                fields=["lat", "lng", "work_end_date"],
                name="posting_published_geo",
                condition=Q(status=PostingStatus.PUBLISHED),
            ),
            models.Index(fields=["scope_unit", "status"], name="posting_unit_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PostingStatus.values), name="posting_status_valid"),
            models.CheckConstraint(
                condition=Q(work_end_date__gte=models.F("work_start_date")), name="posting_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(accepted_count__lte=models.F("headcount")),
                name="posting_accepted_within_headcount",
            ),
            models.CheckConstraint(condition=Q(wage_amount__gt=0), name="posting_wage_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == PostingStatus.PUBLISHED and self.work_end_date >= today

    @property
    def work_dates(self) -> list[dt.date]:
        days = (self.work_end_date - self.work_start_date).days
        return [self.work_start_date + dt.timedelta(days=i) for i in range(min(days, 60) + 1)]

    @property
    def remaining(self) -> int:
        return max(self.headcount - self.accepted_count, 0)


class PostingEvent(TransitionEvent):
    subject_field = "posting"

    posting = models.ForeignKey(
        Posting, verbose_name=_("招聘信息"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=PostingStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=PostingStatus.choices)
    reason = models.CharField(_("原因"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("招聘信息状态记录")
        verbose_name_plural = _("招聘信息状态记录")


class PostingReportQuerySet(ScopedQuerySet):
    pass


class PostingReport(models.Model):
    """Anyone can report a posting; reports reach the county's reviewers."""

    scope_field = "posting__scope_unit"

    posting = models.ForeignKey(
        Posting, verbose_name=_("招聘信息"), on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(_("举报类型"), max_length=16, choices=ReportReason.choices)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("举报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("举报时间"), default=timezone.now)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PostingReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.posting} · {self.get_reason_display()}"


class ApplicationQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(worker=user) | Q(posting__employer__user=user)


class Application(TimeStampedModel):
    """A worker's application to a posting — by themselves, by staff referral (职业介绍) or at a market
    counter. The source and the acting staff member are kept so outcomes are counted apart."""

    scope_field = "posting__scope_unit"

    posting = models.ForeignKey(
        Posting, verbose_name=_("招聘信息"), on_delete=models.PROTECT, related_name="applications"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("求职者"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    source = models.CharField(
        _("来源"), max_length=12, choices=ApplicationSource.choices, default=ApplicationSource.SELF
    )
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办/介绍人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "worker"], name="application_unique_worker"),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posting} · {self.worker}"


class ApplicationEvent(TransitionEvent):
    subject_field = "application"

    application = models.ForeignKey(
        Application, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ApplicationStatus.choices)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("报名状态记录")
        verbose_name_plural = _("报名状态记录")


class JobFair(TimeStampedModel):
    """A recruitment fair: a daytime 集市 or an evening 夜市, at a market or a named place."""

    scope_field = "scope_unit"

    kind = models.CharField(_("类型"), max_length=8, choices=FairKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=200, blank=True)
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    market = models.ForeignKey(
        Market, verbose_name=_("零工市场"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.CharField(_("地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    booth_capacity = models.PositiveSmallIntegerField(_("展位数"), default=20)
    attendance = models.PositiveIntegerField(_("到场人数"), default=0)
    intents = models.PositiveIntegerField(_("达成意向"), default=0)
    hires = models.PositiveIntegerField(_("实际录用"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("招聘会")
        verbose_name_plural = _("招聘会")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="fair_times_ordered")
        ]

    def __str__(self) -> str:
        return self.title


class FairBooth(models.Model):
    fair = models.ForeignKey(
        JobFair, verbose_name=_("招聘会"), on_delete=models.CASCADE, related_name="booths"
    )
    employer = models.ForeignKey(
        EmployerProfile, verbose_name=_("用工方"), on_delete=models.CASCADE, related_name="+"
    )
    booked_at = models.DateTimeField(_("预订时间"), default=timezone.now)
    positions = models.CharField(_("拟招岗位"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("展位")
        verbose_name_plural = _("展位")
        constraints = [models.UniqueConstraint(fields=["fair", "employer"], name="booth_unique_employer")]

    def __str__(self) -> str:
        return f"{self.fair} · {self.employer}"


class FairRegistration(models.Model):
    fair = models.ForeignKey(
        JobFair, verbose_name=_("招聘会"), on_delete=models.CASCADE, related_name="registrations"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("求职者"), on_delete=models.CASCADE, related_name="+"
    )
    registered_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    attended = models.BooleanField(_("已到场"), default=False)

    class Meta:
        verbose_name = _("招聘会报名")
        verbose_name_plural = _("招聘会报名")
        constraints = [models.UniqueConstraint(fields=["fair", "worker"], name="fairreg_unique_worker")]

    def __str__(self) -> str:
        return f"{self.fair} · {self.worker}"


# Work and pay live in their own module (work orders, payments, ratings, wage guidance, supply and demand).
from .models_work import (  # noqa: E402, F401
    ArrearsAlert,
    HoursCorrection,
    Payment,
    PaymentCallback,
    PaymentEvent,
    Rating,
    SupplyDemandStat,
    WageGuidance,
    WageGuidanceCell,
    WorkOrder,
    WorkOrderEvent,
)
