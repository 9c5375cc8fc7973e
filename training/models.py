"""Vocational-skills training (职业技能培训), notice measure 6: filed training institutions (备案机构), the city's
subsidised catalogue (目录清单) with effective-dated rates, classes (开班) at sign-up points and classrooms inside
markets, enrollment with a capacity and a waiting list, attendance that cannot be faked, results and
certificates, training-subsidy claims (reviewed and paid by ``subsidies``) and each provider's outcomes in
later work and earnings."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from jobs.models import Certificate, Occupation
from markets.models import Market

from .choices import (
    ACTIVE_ENROLLMENT_STATUSES,
    CLAIM_TRANSITIONS,
    CLASS_TRANSITIONS,
    ENROLLMENT_TRANSITIONS,
    INSTITUTION_TRANSITIONS,
    OPEN_CLASS_STATUSES,
    AttendanceMethod,
    CertificateType,
    ClaimantKind,
    ClaimStatus,
    ClassMode,
    ClassStatus,
    EnrollmentChannel,
    EnrollmentStatus,
    InstitutionGrade,
    InstitutionStatus,
    NewFormOfWork,
    SignUpPointKind,
    SkillLevel,
    SpotCheckResult,
    VenueKind,
)

MONEY = {"max_digits": 10, "decimal_places": 2}
# one class hour (课时) is 45 minutes
CLASS_HOUR_MINUTES = 45


def new_secret() -> str:
    return secrets.token_hex(16)


# --- institutions -------------------------------------------------------------------------------------------


class InstitutionQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        # through a subquery: a join on the members would repeat each institution per member when the
        # condition is OR'ed with a county scope (ScopedQuerySet.visible_to)
        return Q(pk__in=InstitutionMember.objects.filter(user=user).values("institution_id"))

    def filed(self):
        return self.filter(status=InstitutionStatus.FILED)


class Institution(TimeStampedModel):
    """A training institution that applies to be filed (备案) with its county: its unified social credit code
    and its school-running or business licence. Only a filed institution opens subsidised classes."""

    scope_field = "scope_unit"

    name = models.CharField(_("机构名称"), max_length=128)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    licence_number = models.CharField(_("办学许可证或营业执照编号"), max_length=64)
    licence_scan = models.FileField(
        _("许可证扫描件"), upload_to="training/licences/%Y/", storage=private_storage, blank=True
    )
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("所属县（市、区）"), on_delete=models.PROTECT, related_name="institutions"
    )
    address = models.CharField(_("地址"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("咨询电话"), max_length=32)
    description = models.TextField(_("机构简介"), max_length=2000, blank=True)
    status = models.CharField(
        _("备案状态"), max_length=12, choices=InstitutionStatus.choices, default=InstitutionStatus.APPLIED
    )
    grade = models.CharField(
        _("评估等级"),
        max_length=2,
        choices=InstitutionGrade.choices,
        blank=True,
        default=InstitutionGrade.NONE,
    )
    filing_number = models.CharField(_("备案编号"), max_length=40, blank=True)
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训机构")
        verbose_name_plural = _("培训机构")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InstitutionStatus.values), name="institution_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_filed(self) -> bool:
        return self.status == InstitutionStatus.FILED


class InstitutionMember(models.Model):
    """A person who works for an institution in the portal (the training-institution role); one institution
    per person. The applicant is its first member and its administrator."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("培训机构"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="institution_membership",
    )
    is_admin = models.BooleanField(_("机构管理员"), default=False)
    is_teacher = models.BooleanField(_("授课教师"), default=False)
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("机构人员")
        verbose_name_plural = _("机构人员")

    def __str__(self) -> str:
        return f"{self.institution} · {self.user}"


class InstitutionEvent(TransitionEvent):
    subject_field = "institution"

    institution = models.ForeignKey(
        Institution, verbose_name=_("培训机构"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=InstitutionStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=InstitutionStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("机构备案记录")
        verbose_name_plural = _("机构备案记录")


INSTITUTION_WORKFLOW = Workflow(
    model=Institution, table=INSTITUTION_TRANSITIONS, event_model=InstitutionEvent, subject="institution"
)


class SpotCheckQuerySet(ScopedQuerySet):
    pass


class SpotCheck(TimeStampedModel):
    """A spot check (抽查) of an institution or one of its classes by county staff, and what was found."""

    scope_field = "institution__scope_unit"

    institution = models.ForeignKey(
        Institution, verbose_name=_("培训机构"), on_delete=models.PROTECT, related_name="spot_checks"
    )
    training_class = models.ForeignKey(
        "TrainingClass",
        verbose_name=_("抽查班级"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spot_checks",
    )
    checked_on = models.DateField(_("抽查日期"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽查人"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("结论"), max_length=10, choices=SpotCheckResult.choices)
    findings = models.TextField(_("发现问题"), max_length=2000, blank=True)
    trainees_present = models.PositiveIntegerField(_("在场学员数"), null=True, blank=True)

    objects = SpotCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查记录")
        verbose_name_plural = _("抽查记录")
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.institution} {self.checked_on}"


class SignUpPoint(TimeStampedModel):
    """A filed institution's sign-up point (报名点) or classroom (教室) inside a gig market, listed on the
    market's public page and its information board."""

    scope_field = "market__scope_unit"

    institution = models.ForeignKey(
        Institution, verbose_name=_("培训机构"), on_delete=models.CASCADE, related_name="signup_points"
    )
    market = models.ForeignKey(
        Market, verbose_name=_("零工市场"), on_delete=models.PROTECT, related_name="training_points"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=SignUpPointKind.choices)
    location = models.CharField(_("位置"), max_length=100, help_text=_("如：服务大厅东侧2号窗口"))
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    seats = models.PositiveSmallIntegerField(_("座位数"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("市场内报名点和教室")
        verbose_name_plural = _("市场内报名点和教室")
        ordering = ["market", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.market} · {self.get_kind_display()} · {self.location}"


# --- the catalogue ------------------------------------------------------------------------------------------


class CatalogueItem(models.Model):
    """One entry of the city's subsidised training catalogue (目录清单): an occupation, the certificate it
    leads to and its level. What it pays is in its effective-dated ``rates``."""

    code = models.SlugField(_("目录编码"), max_length=40, unique=True)
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("工种"), on_delete=models.PROTECT, related_name="training_items"
    )
    name = models.CharField(_("项目名称"), max_length=100)
    certificate_type = models.CharField(_("证书类型"), max_length=20, choices=CertificateType.choices)
    level = models.CharField(_("等级"), max_length=6, choices=SkillLevel.choices, default=SkillLevel.NONE)
    new_form = models.CharField(
        _("新就业形态"), max_length=10, choices=NewFormOfWork.choices, blank=True, default=NewFormOfWork.NONE
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("培训目录")
        verbose_name_plural = _("培训目录")
        ordering = ["occupation__sort", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "certificate_type", "level"], name="catalogue_occupation_type_level"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CatalogueRateQuerySet(models.QuerySet):
    def effective_on(self, day: dt.date):
        return self.filter(effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )

    def in_force(self, item_id: int, scope_unit_id: int | None, day: dt.date):
        """The one rate row that applies to a catalogue item in a county on a day: the county's own row before
        the city-wide one, then the latest notice; None when the item pays nothing that day."""
        rows = self.effective_on(day).filter(item_id=item_id)
        if scope_unit_id:
            rows = rows.filter(Q(scope_unit_id=scope_unit_id) | Q(scope_unit__isnull=True))
        else:
            rows = rows.filter(scope_unit__isnull=True)
        return rows.order_by(models.F("scope_unit_id").asc(nulls_last=True), "-effective_from", "-pk").first()


class CatalogueRate(models.Model):
    """What a catalogue item requires and pays from a date, city-wide or for one county: minimum class hours
    (课时 of 45 minutes), the rate per person and its cap, the shortage flag (急需紧缺), and the optional
    higher rate when the trainee is in work within the employment window. Rows are never edited once in force:
    a new rate is a new row (鲁人社字〔2025〕37号 lets each city set its own)."""

    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("培训目录"), on_delete=models.CASCADE, related_name="rates"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全市适用"),
    )
    effective_from = models.DateField(_("施行日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    min_class_hours = models.PositiveSmallIntegerField(_("最少课时"), validators=[MinValueValidator(1)])
    rate = models.DecimalField(_("补贴标准（元/人）"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    cap = models.DecimalField(
        _("补贴上限（元/人）"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    employed_rate = models.DecimalField(
        _("培训后就业补贴标准（元/人）"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("学员结业后在就业期限内就业时适用的较高标准；留空表示不适用"),
    )
    shortage = models.BooleanField(_("急需紧缺工种"), default=False)
    source = models.CharField(_("依据文件"), max_length=120)

    objects = CatalogueRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("目录补贴标准")
        verbose_name_plural = _("目录补贴标准")
        ordering = ["item", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="cataloguerate_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=models.F("rate")), name="cataloguerate_cap_ge_rate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.effective_from}"


class ClaimRule(models.Model):
    """The counting limits of the training subsidy, effective-dated: the same occupation and level is
    subsidised once, a higher level held blocks a lower one, at most N claims a year (more for shortage
    occupations), a claim within M months of the certificate, the employment window of the higher rate."""

    version = models.CharField(_("版本"), max_length=40, unique=True)
    effective_from = models.DateField(_("施行日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    claims_per_year = models.PositiveSmallIntegerField(_("每年可享受次数"), default=1)
    claims_per_year_shortage = models.PositiveSmallIntegerField(_("急需紧缺工种每年可享受次数"), default=3)
    claim_window_months = models.PositiveSmallIntegerField(_("取证后申领期限（月）"), default=12)
    employment_window_months = models.PositiveSmallIntegerField(_("结业后就业期限（月）"), default=6)
    source = models.CharField(_("依据文件"), max_length=120)

    objects = CatalogueRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴申领规则")
        verbose_name_plural = _("补贴申领规则")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.version


# --- classes ------------------------------------------------------------------------------------------------


class TrainingClassQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(institution_id__in=InstitutionMember.objects.filter(user=user).values("institution_id"))


class TrainingClass(TimeStampedModel):
    """An institution's application to open a class (开班申请) for a catalogue item, and the class once
    approved: roster plan, sessions, teachers, venue, exam plan. Its county is its venue's (a market's county
    for a class inside a market), else its institution's."""

    scope_field = "scope_unit"

    institution = models.ForeignKey(
        Institution, verbose_name=_("培训机构"), on_delete=models.PROTECT, related_name="classes"
    )
    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("培训项目"), on_delete=models.PROTECT, related_name="classes"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="training_classes"
    )
    title = models.CharField(_("班级名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=12, choices=ClassStatus.choices, default=ClassStatus.DRAFT
    )
    subsidised = models.BooleanField(_("纳入补贴"), default=True)
    mode = models.CharField(
        _("培训方式"), max_length=10, choices=ClassMode.choices, default=ClassMode.OFFLINE
    )
    online_platform = models.CharField(_("线上平台"), max_length=100, blank=True)
    venue_kind = models.CharField(_("场地类型"), max_length=20, choices=VenueKind.choices, blank=True)
    market = models.ForeignKey(
        Market,
        verbose_name=_("所在零工市场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_classes",
    )
    signup_points = models.ManyToManyField(
        SignUpPoint, verbose_name=_("报名点"), blank=True, related_name="classes"
    )
    venue_name = models.CharField(_("场地名称"), max_length=100, blank=True)
    venue_address = models.CharField(_("场地地址"), max_length=200, blank=True)
    venue_lat = models.FloatField(
        _("场地纬度"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    venue_lng = models.FloatField(
        _("场地经度"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    geofence_m = models.PositiveIntegerField(
        _("签到范围（米）"), default=200, validators=[MinValueValidator(20), MaxValueValidator(2000)]
    )
    capacity = models.PositiveSmallIntegerField(_("招生人数"), validators=[MinValueValidator(1)])
    waitlist_limit = models.PositiveSmallIntegerField(_("候补人数上限"), default=20)
    fee = models.DecimalField(_("培训费（元/人）"), **MONEY, default=Decimal("0"))
    starts_on = models.DateField(_("开班日期"), db_index=True)
    ends_on = models.DateField(_("结业日期"))
    enrollment_closes_on = models.DateField(_("报名截止"), null=True, blank=True)
    teachers = models.TextField(_("授课教师"), max_length=1000, blank=True)
    roster_plan = models.TextField(_("招生计划"), max_length=1000, blank=True)
    exam_plan = models.TextField(_("考核计划"), max_length=1000, blank=True)
    description = models.TextField(_("课程介绍"), max_length=2000, blank=True)
    # seats taken (enrolled) and waiting, kept by the enrollment services under the class row's lock
    enrolled_count = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    waitlist_count = models.PositiveIntegerField(_("候补"), default=0, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
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

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["starts_on", "id"]
        indexes = [
            models.Index(fields=["status", "starts_on"], name="trainingclass_status_start"),
            models.Index(fields=["scope_unit", "status", "starts_on"], name="trainingclass_unit_status"),
            # course search (training.selectors.course_list): the open classes by start, and by venue point
            models.Index(
                fields=["starts_on", "id"],
                condition=Q(status__in=["approved", "running"]),
                name="trainingclass_open_start",
            ),
            models.Index(
                fields=["venue_lat", "venue_lng"],
                condition=Q(status__in=["approved", "running"], venue_lat__isnull=False),
                name="trainingclass_open_point",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClassStatus.values), name="trainingclass_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="trainingclass_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(enrolled_count__lte=models.F("capacity")), name="trainingclass_not_over_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.enrolled_count, 0)

    @property
    def enrollment_closes(self) -> dt.date:
        """The last day the class takes enrollments: its stated closing day, else its first day."""
        return self.enrollment_closes_on or self.starts_on

    def enrollment_block(
        self, today: dt.date | None = None, *, institution_filed: bool | None = None
    ) -> tuple[str, str] | None:
        """(code, reason) why the class takes no enrollment now, or None when it does: it must be approved or
        running, of a filed institution, not ended, and on or before its closing day. The one rule: the
        enrollment service, the class services, the pages and the course search (``selectors``) use it."""
        today = today or timezone.localdate()
        if self.status not in OPEN_CLASS_STATUSES:
            return "class_not_open", gettext("该班级当前不接受报名。")
        filed = self.institution.is_filed if institution_filed is None else institution_filed
        if not filed:
            return "institution_not_filed", gettext("该培训机构已被暂停或撤销备案，班级暂停报名。")
        if today > self.ends_on:
            return "class_ended", gettext("该班级已结束。")
        if today > self.enrollment_closes:
            return "enrollment_closed", gettext("报名已截止。")
        return None

    def enrollment_refusal(self, today: dt.date | None = None) -> str | None:
        block = self.enrollment_block(today)
        return block[1] if block else None

    @property
    def takes_enrollments(self) -> bool:
        return self.enrollment_refusal() is None


class TrainingClassEvent(TransitionEvent):
    subject_field = "training_class"

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ClassStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ClassStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("开班审核记录")
        verbose_name_plural = _("开班审核记录")


CLASS_WORKFLOW = Workflow(
    model=TrainingClass, table=CLASS_TRANSITIONS, event_model=TrainingClassEvent, subject="training_class"
)


class ClassSession(models.Model):
    """One session (课次) of a class. Its QR secret rotates: the code shown in the classroom is derived from
    the secret and the current time step (``training.services.attendance``), so a photo of it expires."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    class_hours = models.PositiveSmallIntegerField(_("课时"), validators=[MinValueValidator(1)])
    topic = models.CharField(_("内容"), max_length=100, blank=True)
    teacher = models.CharField(_("授课教师"), max_length=64, blank=True)
    qr_secret = models.CharField(max_length=32, default=new_secret, editable=False)

    class Meta:
        verbose_name = _("课次")
        verbose_name_plural = _("课次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="classsession_ends_after"
            ),
            models.UniqueConstraint(fields=["training_class", "starts_at"], name="classsession_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.training_class} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


# --- enrollment ---------------------------------------------------------------------------------------------


class EnrollmentQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        members = InstitutionMember.objects.filter(user=user).values("institution_id")
        return Q(worker=user) | Q(training_class__institution_id__in=members)

    def active(self):
        return self.filter(status__in=ACTIVE_ENROLLMENT_STATUSES)


class Enrollment(TimeStampedModel):
    """A worker's place in a class: a seat (enrolled) or a place on the waiting list, taken online, at a
    counter (assisted, the staff member recorded) or at a market sign-up point."""

    scope_field = "training_class__scope_unit"
    personal_fields = {}

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.PROTECT, related_name="enrollments"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("学员"), on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(
        _("状态"), max_length=14, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ENROLLED
    )
    channel = models.CharField(
        _("报名渠道"), max_length=14, choices=EnrollmentChannel.choices, default=EnrollmentChannel.ONLINE
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    waitlisted_at = models.DateTimeField(_("候补时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    # class hours attended (present or late), kept by the attendance services
    hours_attended = models.PositiveSmallIntegerField(_("已到课时"), default=0, editable=False)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["training_class", "created_at", "id"]
        indexes = [
            models.Index(fields=["training_class", "status", "created_at"], name="enrollment_class_status"),
            models.Index(fields=["worker", "status"], name="enrollment_worker_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EnrollmentStatus.values), name="enrollment_status_valid"
            ),
            models.UniqueConstraint(
                fields=["training_class", "worker"],
                condition=~Q(status=EnrollmentStatus.WITHDRAWN),
                name="enrollment_one_live_per_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class} · {self.worker}"


class EnrollmentEvent(TransitionEvent):
    subject_field = "enrollment"

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=14, choices=EnrollmentStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=14, choices=EnrollmentStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("报名记录")
        verbose_name_plural = _("报名记录")


ENROLLMENT_WORKFLOW = Workflow(
    model=Enrollment, table=ENROLLMENT_TRANSITIONS, event_model=EnrollmentEvent, subject="enrollment"
)


# --- attendance ---------------------------------------------------------------------------------------------


class AttendanceStatus(models.Model):
    """Attendance statuses as data (present, late, absent, excused …): whether a status counts the session's
    class hours towards completion."""

    code = models.SlugField(_("代码"), max_length=16, primary_key=True)
    name = models.CharField(_("名称"), max_length=20)
    counts_hours = models.BooleanField(_("计入课时"), default=False)
    late_after_minutes = models.PositiveSmallIntegerField(
        _("迟到判定（开课后分钟）"),
        null=True,
        blank=True,
        help_text=_("扫码签到晚于开课后此分钟数时记为此状态；留空表示不按时间判定"),
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考勤状态")
        verbose_name_plural = _("考勤状态")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """One trainee's attendance at one session: signed in by the rotating QR code within the venue's geofence
    from one device, or marked by the teacher or a counter (who marked it recorded). A photo may be attached
    (private storage, hashed, never public); a doubtful sign-in is flagged for the institution and staff."""

    session = models.ForeignKey(
        ClassSession, verbose_name=_("课次"), on_delete=models.CASCADE, related_name="attendance"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.ForeignKey(AttendanceStatus, verbose_name=_("考勤状态"), on_delete=models.PROTECT)
    method = models.CharField(_("签到方式"), max_length=10, choices=AttendanceMethod.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    lat = models.FloatField(_("签到纬度"), null=True, blank=True)
    lng = models.FloatField(_("签到经度"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("距场地（米）"), null=True, blank=True)
    device_hash = models.CharField(_("设备指纹"), max_length=64, blank=True, editable=False)
    photo = models.ImageField(
        _("签到照片"), upload_to="training/attendance/%Y/%m/", storage=private_storage, blank=True
    )
    photo_sha256 = models.CharField(_("照片校验值"), max_length=64, blank=True, editable=False)
    flagged = models.BooleanField(_("存疑"), default=False)
    flag_reason = models.CharField(_("存疑原因"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        ordering = ["session", "enrollment"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="attendance_once_per_session"),
            models.UniqueConstraint(
                fields=["session", "device_hash"],
                condition=~Q(device_hash=""),
                name="attendance_one_device_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.enrollment.worker_id} · {self.status_id}"


# --- results and certificates -------------------------------------------------------------------------------


class TrainingResult(models.Model):
    """A trainee's result: class hours attended against the catalogue's minimum, the exam, and completion."""

    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="result"
    )
    hours_attended = models.PositiveSmallIntegerField(_("实到课时"))
    hours_required = models.PositiveSmallIntegerField(_("最少课时"))
    exam_score = models.DecimalField(_("考核成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("考核合格"), default=False)
    completed = models.BooleanField(_("结业"), default=False)
    completed_on = models.DateField(_("结业日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培训结果")
        verbose_name_plural = _("培训结果")

    def __str__(self) -> str:
        return f"{self.enrollment}"


class TrainingCertificate(models.Model):
    """A certificate earned in a completed class; written to the worker's profile (``jobs.Certificate``) as
    verified through the jobs service, so it opens licensed postings at once."""

    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="certificate"
    )
    certificate_type = models.CharField(_("证书类型"), max_length=20, choices=CertificateType.choices)
    level = models.CharField(_("等级"), max_length=6, choices=SkillLevel.choices, default=SkillLevel.NONE)
    number = models.CharField(_("证书编号"), max_length=64, unique=True)
    issuer = models.CharField(_("发证机构"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    profile_certificate = models.OneToOneField(
        Certificate,
        verbose_name=_("求职登记中的证书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_certificate",
    )

    class Meta:
        verbose_name = _("培训证书")
        verbose_name_plural = _("培训证书")

    def __str__(self) -> str:
        return self.number


# --- training subsidy claims --------------------------------------------------------------------------------


class TrainingClaimQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        # the institution through a subquery: a join on its members would repeat each claim per member
        members = InstitutionMember.objects.filter(user=user).values("institution_id")
        return Q(enrollment__worker=user) | Q(enrollment__training_class__institution_id__in=members)


class TrainingClaim(TimeStampedModel):
    """A training-subsidy claim (培训补贴申领) for one eligible completion, by the person or by the institution
    on their behalf, with the calculator's figures and rule versions and its evidence bundle (roster,
    attendance, results, certificate) frozen by a hash. Review and payment belong to ``subsidies``, which reads
    claims through ``training.interface``."""

    scope_field = "enrollment__training_class__scope_unit"

    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="claim"
    )
    claimant_kind = models.CharField(_("申领方式"), max_length=12, choices=ClaimantKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    amount = models.DecimalField(_("申领金额"), **MONEY)
    calculation = models.JSONField(_("测算明细"), default=dict)
    rule_version = models.CharField(_("规则版本"), max_length=80)
    evidence = models.JSONField(_("佐证材料"), default=dict)
    evidence_sha256 = models.CharField(_("材料校验值"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = TrainingClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训补贴申领")
        verbose_name_plural = _("培训补贴申领")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="trainingclaim_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} ¥{self.amount}"


class TrainingClaimEvent(TransitionEvent):
    subject_field = "claim"

    claim = models.ForeignKey(
        TrainingClaim, verbose_name=_("培训补贴申领"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ClaimStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("申领记录")
        verbose_name_plural = _("申领记录")


CLAIM_WORKFLOW = Workflow(
    model=TrainingClaim, table=CLAIM_TRANSITIONS, event_model=TrainingClaimEvent, subject="claim"
)


# --- outcomes -----------------------------------------------------------------------------------------------


class OutcomeCohort(models.Model):
    """Outcomes of one provider's completers of one catalogue item in one completion month (a cohort), kept
    as counts (rates are derived): how many found settled work within 3 and 6 months, how many earned a
    certificate, and their median daily earnings in the 3 months before and after. Recomputed by a periodic
    task from the portal's own records."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("培训机构"), on_delete=models.CASCADE, related_name="outcomes"
    )
    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("培训项目"), on_delete=models.CASCADE, related_name="+"
    )
    cohort_month = models.DateField(_("结业月份"), help_text=_("该月1日"))
    completers = models.PositiveIntegerField(_("结业人数"), default=0)
    certified = models.PositiveIntegerField(_("取证人数"), default=0)
    worked_3m = models.PositiveIntegerField(_("3个月内就业人数"), default=0)
    worked_6m = models.PositiveIntegerField(_("6个月内就业人数"), default=0)
    earnings_known_before = models.PositiveIntegerField(_("培训前有收入记录人数"), default=0)
    earnings_known_after = models.PositiveIntegerField(_("培训后有收入记录人数"), default=0)
    median_daily_before = models.DecimalField(_("培训前3个月日收入中位数"), **MONEY, null=True, blank=True)
    median_daily_after = models.DecimalField(_("培训后3个月日收入中位数"), **MONEY, null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培训成效")
        verbose_name_plural = _("培训成效")
        ordering = ["institution", "item", "-cohort_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "item", "cohort_month"], name="outcome_unique_cohort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.item} {self.cohort_month:%Y-%m}"


class SignInAttempt(models.Model):
    """A refused QR sign-in that the institution and staff should see: a device already used in a session
    for another trainee tried to sign in someone else (the second person is refused, the first keeps their
    row). Kept apart from ``Attendance``: a refusal writes no attendance."""

    session = models.ForeignKey(
        ClassSession, verbose_name=_("课次"), on_delete=models.CASCADE, related_name="signin_attempts"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("尝试签到的学员"), on_delete=models.CASCADE, related_name="+"
    )
    device_of = models.ForeignKey(
        Attendance,
        verbose_name=_("该设备已签到的考勤"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device_hash = models.CharField(_("设备指纹"), max_length=64, editable=False)
    reason = models.CharField(_("拒绝原因"), max_length=200)
    attempted_at = models.DateTimeField(_("尝试时间"), default=timezone.now)

    class Meta:
        verbose_name = _("被拒签到记录")
        verbose_name_plural = _("被拒签到记录")
        ordering = ["session", "attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.session} · {self.enrollment_id}"
