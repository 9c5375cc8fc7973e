"""Job-seeker registration (求职登记) with skills and certificates, and employer registration (用工登记) with
its review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow

from ..choices import (
    CERTIFICATE_TRANSITIONS,
    EMPLOYER_TRANSITIONS,
    CertificateStatus,
    ContactPreference,
    EmployerKind,
    NewFormKind,
    PersonCategoryKind,
    PersonCategorySource,
    SkillLevel,
    VerificationStatus,
    WageUnit,
)
from .occupations import Occupation

RATE = {"max_digits": 12, "decimal_places": 4}

# What a worker (or a counter for them) writes on a job-seeker registration: the registration service and
# the registration form share this list (skills, certificates and preferred counties travel apart).
WORKER_PROFILE_FIELDS = (
    "max_distance_km",
    "home_lat",
    "home_lng",
    "available_days",
    "available_from",
    "available_to",
    "expected_wage",
    "expected_unit",
    "contact_preference",
    "notify_sms",
    "notify_wechat",
    "notify_inbox",
)


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
    seeking = models.BooleanField(
        _("正在求职"),
        default=True,
        db_default=True,  # bulk loaders (bench data, imports) may leave it out
        editable=False,
        help_text=_("本人或服务台暂停求职时为否；恢复求职时为是（jobs.services.worker_seeking_set）。"),
    )
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
    # The worker's record, kept by work.services.refresh_worker_records whenever a work order reaches or leaves
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
    """A certificate on record (特种作业操作证, 职业资格证书 …): number, issuer, expiry, and whether staff
    have checked it against the document shown at a counter (only a verified one opens licensed work)."""

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
    status = models.CharField(
        _("核验状态"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.UNVERIFIED
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values), name="certificate_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    @property
    def is_verified(self) -> bool:
        return self.status == CertificateStatus.VERIFIED

    def valid_on(self, day: dt.date) -> bool:
        """Verified and not expired on ``day``: what licensed work asks for."""
        return self.is_verified and (self.expires_on is None or self.expires_on >= day)


class CertificateEvent(TransitionEvent):
    """One verification of a certificate (verified or rejected), by whom, against what."""

    subject_field = "certificate"

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=CertificateStatus.choices)
    reason = models.CharField(_("核验说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("证书核验记录")
        verbose_name_plural = _("证书核验记录")


CERTIFICATE_WORKFLOW = Workflow(
    model=Certificate, table=CERTIFICATE_TRANSITIONS, event_model=CertificateEvent, subject="certificate"
)


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


class EmployerEvent(TransitionEvent):
    """One step of an employer registration's review."""

    subject_field = "employer"

    employer = models.ForeignKey(
        EmployerProfile, verbose_name=_("用工方"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=VerificationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=VerificationStatus.choices)
    reason = models.CharField(_("审核意见"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("用工登记审核记录")
        verbose_name_plural = _("用工登记审核记录")


EMPLOYER_WORKFLOW = Workflow(
    model=EmployerProfile, table=EMPLOYER_TRANSITIONS, event_model=EmployerEvent, subject="employer"
)


class PersonCategoryQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(user=user)

    def on(self, day: dt.date):
        """The categories in force on ``day`` (valid_from ≤ day ≤ valid_to, an open end in force)."""
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class PersonCategory(TimeStampedModel):
    """A person's category (人员类别) from a date: registered unemployed (登记失业), rural migrant worker,
    flexible worker, new-form worker (rider, driver, streamer), hard-to-employ (就业困难人员), graduate …
    Recorded at job-seeker registration by staff with their evidence, or declared by the person; a category
    is fixed as of a date (a training date, a subsidy month), so the rows are effective-dated and a change is
    a new row (the old one closed), never an edit. Training and subsidies read it."""

    scope_field = "user__scope_unit"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="person_categories",
    )
    category = models.CharField(_("人员类别"), max_length=24, choices=PersonCategoryKind.choices)
    new_form_kind = models.CharField(
        _("新就业形态类型"), max_length=10, choices=NewFormKind.choices, blank=True, default=NewFormKind.NONE
    )
    valid_from = models.DateField(_("认定日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("留空表示持续有效"))
    source = models.CharField(_("来源"), max_length=20, choices=PersonCategorySource.choices)
    evidence = models.CharField(_("证明材料"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PersonCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员类别")
        verbose_name_plural = _("人员类别")
        ordering = ["user", "-valid_from", "-id"]
        indexes = [models.Index(fields=["user", "valid_from"], name="personcategory_user_from")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="personcategory_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(category="new_form") | Q(new_form_kind=""), name="personcategory_kind_new_form"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.valid_from}"
