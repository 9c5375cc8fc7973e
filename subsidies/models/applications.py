"""Applications (DESIGN.md's subsidy application workflow, ADR 0030): a person's claim for one program and
period, from the calculator's decision it confirms, through county review, city review and the public notice
(公示) to approval, with its events, evidence and the objections raised during the notice; the budgets per
program, county and year that approvals are counted against."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from disputes.choices import EvidenceKind

from ..choices import (
    APPLICATION_TRANSITIONS,
    BUDGET_HOLDING_STATUSES,
    OBJECTION_TRANSITIONS,
    ApplicationStatus,
    ObjectionStatus,
)
from .programs import MONEY, EligibilityDecision, ProgramType


class ApplicationQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)

    def in_notice(self):
        return self.filter(status=ApplicationStatus.PUBLIC_NOTICE)


class Application(TimeStampedModel):
    """One person's application for one program and period. The calculator's decision it confirms is kept
    (``decision``), the county and city reviewers and when they acted, the notice's dates, the approved
    amount, and the de-duplication strategies' reasons (``dedup_reasons``). Services are the only writers;
    the status moves only through ``APPLICATION_WORKFLOW``."""

    scope_field = "scope_unit"

    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
    )
    program_type = models.ForeignKey(
        ProgramType, verbose_name=_("补贴项目"), on_delete=models.PROTECT, related_name="applications"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    amount_requested = models.DecimalField(_("申请金额（元）"), **MONEY, validators=[MinValueValidator(0)])
    amount_approved = models.DecimalField(
        _("核定金额（元）"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    decision = models.ForeignKey(
        EligibilityDecision,
        verbose_name=_("资格测算"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    statement = models.TextField(_("申请说明"), blank=True)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # an accident-insurance claim made by a platform or agency for the person (ADR 0037)
    payer = models.ForeignKey(
        "jobs.EmployerProfile",
        verbose_name=_("申领单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    insured_claim = models.ForeignKey(
        "subsidies.InsuredListClaim",
        verbose_name=_("投保名单申领"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # a training-subsidy claim taken from the training app (ADR 0038): the claim's id, read through
    # ``training.interface`` only — one application per claim, whatever happens to it
    training_claim_id = models.PositiveBigIntegerField(
        _("培训补贴申领编号"), null=True, blank=True, unique=True, editable=False
    )
    dedup_reasons = models.JSONField(_("防重复核查结果"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    county_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("县级审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county_reviewed_at = models.DateTimeField(_("县级审核时间"), null=True, blank=True)
    city_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("市级复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    city_reviewed_at = models.DateTimeField(_("市级复核时间"), null=True, blank=True)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    reject_reason = models.TextField(_("不予通过原因"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴申请")
        verbose_name_plural = _("补贴申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "scope_unit"], name="subsidyapp_status_scope"),
            models.Index(fields=["person", "program_type", "period_start"], name="subsidyapp_person_program"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="subsidyapplication_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="subsidyapplication_period_order"
            ),
            models.CheckConstraint(
                condition=Q(county_reviewer__isnull=True)
                | Q(city_reviewer__isnull=True)
                | ~Q(county_reviewer=models.F("city_reviewer")),
                name="subsidyapplication_two_reviewers",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(TransitionEvent):
    subject_field = "application"

    application = models.ForeignKey(
        Application, verbose_name=_("补贴申请"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ApplicationStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("申请状态记录")
        verbose_name_plural = _("申请状态记录")


APPLICATION_WORKFLOW = Workflow(
    model=Application,
    table=APPLICATION_TRANSITIONS,
    event_model=ApplicationEvent,
    subject="application",
)


class ApplicationEvidence(models.Model):
    """A document an applicant (or the counter for them) uploads: an image (re-encoded) or a PDF (checked),
    in private storage, served only through a permission-checked view."""

    application = models.ForeignKey(
        Application, verbose_name=_("补贴申请"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="subsidies/evidence/%Y/%m/", storage=private_storage)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EvidenceKind.values), name="applicationevidence_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.description or f"{self.get_kind_display()} {self.pk}"


class ObjectionQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(submitted_by=user)


class Objection(models.Model):
    """An objection to an application in public notice — from anyone, signed in or not (``submitted_by``
    empty). Staff uphold it (the application goes back: returned) or dismiss it."""

    scope_field = "application__scope_unit"

    application = models.ForeignKey(
        Application, verbose_name=_("补贴申请"), on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("异议内容"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("匿名提出时为空"),
    )
    submitted_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handling_note = models.TextField(_("处理意见"), blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ObjectionStatus.values), name="objection_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_status_display()}"


class ObjectionEvent(TransitionEvent):
    subject_field = "objection"

    objection = models.ForeignKey(
        Objection, verbose_name=_("公示异议"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=ObjectionStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ObjectionStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("异议处理记录")
        verbose_name_plural = _("异议处理记录")


OBJECTION_WORKFLOW = Workflow(
    model=Objection,
    table=OBJECTION_TRANSITIONS,
    event_model=ObjectionEvent,
    subject="objection",
)


class BudgetQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return None


class Budget(TimeStampedModel):
    """The money a county has for a program in a year (from its budget notice). What is committed is
    computed from the applications (``committed``), never stored: the approved amounts of the applications
    in notice, approved or disbursed for that program, county and year (by the period's start)."""

    scope_field = "scope_unit"

    program_type = models.ForeignKey(
        ProgramType, verbose_name=_("补贴项目"), on_delete=models.PROTECT, related_name="budgets"
    )
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(
        _("预算金额（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    notice = models.CharField(_("预算文件"), max_length=200, blank=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴预算")
        verbose_name_plural = _("补贴预算")
        ordering = ["-year", "program_type", "scope_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_type", "scope_unit", "year"], name="budget_program_county_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_type} {self.scope_unit} {self.year}"

    def committed(self, *, exclude_pk=None) -> Decimal:
        rows = Application.objects.filter(
            program_type_id=self.program_type_id,
            scope_unit_id=self.scope_unit_id,
            period_start__year=self.year,
            status__in=BUDGET_HOLDING_STATUSES,
        )
        if exclude_pk is not None:
            rows = rows.exclude(pk=exclude_pk)
        total = rows.aggregate(total=Sum("amount_approved"))["total"]
        return (total or Decimal("0")).quantize(Decimal("0.01"))

    def remaining(self, *, exclude_pk=None) -> Decimal:
        return (self.amount - self.committed(exclude_pk=exclude_pk)).quantize(Decimal("0.01"))
