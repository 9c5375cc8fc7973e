"""Job postings with their review history, and reports from the public."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import masking
from core.models import Division, ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from markets.models import Market

from ..choices import (
    POSTING_TRANSITIONS,
    REPORT_TRANSITIONS,
    PostingStatus,
    ReportReason,
    ReportStatus,
    Settlement,
    WageUnit,
)
from .occupations import Occupation
from .profiles import EmployerProfile

MONEY = {"max_digits": 10, "decimal_places": 2}
RATE = {"max_digits": 12, "decimal_places": 4}

# What an employer (or staff drafting for one) writes on a posting: the one field list of the posting
# service, the posting form and the write serializer (the serializer names the county ``county``).
POSTING_FIELDS = (
    "occupation",
    "title",
    "description",
    "requirements",
    "scope_unit",
    "town",
    "address",
    "lat",
    "lng",
    "market",
    "work_start_date",
    "work_end_date",
    "start_time",
    "end_time",
    "headcount",
    "wage_amount",
    "wage_unit",
    "estimated_daily_wage",
    "settlement",
    "contact_name",
    "contact_phone",
)


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
    """One step of a posting (submitted, published, sent back, filled, closed, expired)."""

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
    status = models.CharField(
        _("处理状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
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
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="postingreport_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.posting} · {self.get_reason_display()}"


class PostingReportEvent(TransitionEvent):
    """One step of handling a report (handled, dismissed)."""

    subject_field = "report"

    report = models.ForeignKey(
        PostingReport, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ReportStatus.choices)
    reason = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("举报处理记录")
        verbose_name_plural = _("举报处理记录")


POSTING_WORKFLOW = Workflow(
    model=Posting, table=POSTING_TRANSITIONS, event_model=PostingEvent, subject="posting"
)
REPORT_WORKFLOW = Workflow(
    model=PostingReport, table=REPORT_TRANSITIONS, event_model=PostingReportEvent, subject="report"
)
