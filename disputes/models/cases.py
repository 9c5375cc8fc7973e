"""Complaints and cases: the routing and clock rule tables, the case with its claim lines, evidence,
events and statutory clocks (ADR 0020)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core import masking
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from jobs.models import EmployerProfile
from markets.models import Market
from work.models import WorkOrder

from ..choices import (
    CASE_TRANSITIONS,
    OPEN_STATUSES,
    RESPONDENT_STATUSES,
    CaseStatus,
    Channel,
    ClaimType,
    ClockKind,
    DayKind,
    EvidenceKind,
    Queue,
    RelationshipType,
)


class RoutingRule(TimeStampedModel):
    """One row of the ordered, admin-edited routing table: the first active rule (by ``position``) whose
    conditions all hold sends a new complaint to its queue. An empty condition matches anything."""

    position = models.PositiveIntegerField(_("顺序"), help_text=_("数字小的先匹配"))
    name = models.CharField(_("规则名称"), max_length=80)
    claim_type = models.CharField(_("诉求类型"), max_length=20, choices=ClaimType.choices, blank=True)
    relationship_type = models.CharField(
        _("用工关系"), max_length=10, choices=RelationshipType.choices, blank=True
    )
    min_amount = models.DecimalField(_("金额不低于"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(_("金额不超过"), max_digits=12, decimal_places=2, null=True, blank=True)
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    market = models.ForeignKey(
        Market, verbose_name=_("市场"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    queue = models.CharField(_("分派至"), max_length=12, choices=Queue.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(queue__in=Queue.values), name="routing_rule_queue_valid"),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(max_amount__gte=models.F("min_amount")),
                name="routing_rule_amount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ClockRule(TimeStampedModel):
    """A statutory time limit as a row with an effective date: a new regulation is a new row, and a clock
    started before it keeps the row (and version) it was computed with."""

    kind = models.CharField(_("期限类型"), max_length=20, choices=ClockKind.choices)
    effective_from = models.DateField(_("施行日期"))
    day_kind = models.CharField(_("计算方式"), max_length=10, choices=DayKind.choices)
    days = models.PositiveSmallIntegerField(_("期限（天）"))
    max_extension_days = models.PositiveSmallIntegerField(_("可延长（天）"), default=0)
    basis = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("法定时限规则")
        verbose_name_plural = _("法定时限规则")
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "effective_from"], name="clock_rule_one_per_kind_and_date"
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="clock_rule_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.days}{self.get_day_kind_display()}（{self.version}）"

    @property
    def version(self) -> str:
        return f"{self.kind}@{self.effective_from:%Y-%m-%d}"


class CaseQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(complainant=user) | Q(respondent__user=user, status__in=RESPONDENT_STATUSES)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Case(TimeStampedModel):
    """A complaint and the case it becomes (one row, ADR 0020): received from a channel, routed to a queue by
    the first matching ``RoutingRule``, then accepted (or not, with a reason), handled and closed. The
    complainant may ask that their identity be withheld from the respondent."""

    scope_field = "scope_unit"
    personal_fields = {
        "complainant_name": masking.NAME,
        "complainant_phone": masking.PHONE,
        "clue_id_number": masking.ID_NUMBER,
        "clue_bank_card": masking.BANK_ACCOUNT,
    }

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="dispute_cases"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the complainant: an account, or (counter, hotline, transfers) a name and a number to call back
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投诉人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispute_cases",
    )
    complainant_name = models.CharField(_("投诉人"), max_length=40, blank=True)
    complainant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    withhold_identity = models.BooleanField(
        _("对被投诉方保密身份"), default=False, help_text=_("被投诉方看不到投诉人的姓名和联系方式")
    )
    # the respondent: an employer on record, or as the complainant named it (staff match it later)
    respondent = models.ForeignKey(
        EmployerProfile,
        verbose_name=_("被投诉用工方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_cases",
    )
    respondent_name = models.CharField(_("被投诉方名称"), max_length=100, blank=True)
    respondent_contact = models.CharField(_("被投诉方联系方式或地址"), max_length=120, blank=True)
    market = models.ForeignKey(
        Market, verbose_name=_("相关市场"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # the work order the complaint is about, when it names one (the evidence bundle is drawn from it, ADR 0025)
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("相关用工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_cases",
    )
    relationship_type = models.CharField(_("用工关系"), max_length=10, choices=RelationshipType.choices)
    facts = models.TextField(_("事实与理由"), max_length=4000)
    # counter: the complainant's signature, captured as a scan (private storage)
    signature_scan = models.FileField(
        _("签字确认扫描件"), upload_to="disputes/signatures/%Y/%m/", storage=private_storage, blank=True
    )
    # 12345 transfers: the hotline's ticket and the deadline it sets
    external_ticket_id = models.CharField(_("转办工单号"), max_length=40, blank=True)
    external_due_on = models.DateField(_("转办答复期限"), null=True, blank=True)
    # clues from the national wage-arrears platform (全国根治欠薪线索反映平台)
    clue_id_number = models.CharField(_("线索身份证号"), max_length=18, blank=True)
    clue_bank_card = models.CharField(_("线索工资卡号"), max_length=32, blank=True)
    clue_is_construction = models.BooleanField(_("工程建设领域"), null=True, blank=True)
    # routing
    queue = models.CharField(_("分派至"), max_length=12, choices=Queue.choices)
    routing_rule = models.ForeignKey(
        RoutingRule, verbose_name=_("匹配的分派规则"), null=True, blank=True, on_delete=models.PROTECT
    )
    routing_rule_name = models.CharField(_("分派规则（当时）"), max_length=100, blank=True)
    # outcomes
    not_accepted_reason = models.TextField(_("不予受理理由"), max_length=1000, blank=True)
    resolution = models.TextField(_("处理结果"), max_length=4000, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # the nearest running clock, stored (ADR 0031): its effective due (the extended one if extended), the
    # instant it is due soon (``LINGONG_CASE_ESCALATE_SHARE`` of its time, as the escalation) and its kind;
    # empty when no clock runs. Written only by ``services.case_deadline_refresh``, in the transaction that
    # starts, stops or extends a clock, so the staff queue reads a county's open cases by deadline from an index.
    next_due_at = models.DateTimeField(_("最近期限"), null=True, blank=True)
    next_warn_at = models.DateTimeField(_("最近期限临期时间"), null=True, blank=True)
    next_due_kind = models.CharField(_("最近期限类型"), max_length=20, choices=ClockKind.choices, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉案件")
        verbose_name_plural = _("投诉案件")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["scope_unit", "status"], name="case_scope_status_idx"),
            # the staff queue counts a county's open cases from the index alone
            models.Index(
                fields=["scope_unit", "id"],
                name="case_open_scope_idx",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # the staff queue (ADR 0031): a county's open cases nearest deadline first as an index range
            # scan, the deadline filter's count index-only; the warning point a key column (after the unique
            # id, so the order is the queue's) so "due soon" is checked in the index, not on the heap; the
            # second for city-wide readers
            models.Index(
                fields=["scope_unit", "next_due_at", "id", "next_warn_at"],
                name="case_open_scope_next_due_idx",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["next_due_at", "id", "next_warn_at"],
                name="case_open_next_due_idx",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="case_channel_valid"),
            models.CheckConstraint(condition=Q(queue__in=Queue.values), name="case_queue_valid"),
            models.CheckConstraint(
                condition=Q(relationship_type__in=RelationshipType.values), name="case_relationship_valid"
            ),
            models.CheckConstraint(
                condition=~Q(respondent__isnull=True, respondent_name=""), name="case_has_a_respondent"
            ),
            models.CheckConstraint(
                condition=Q(next_due_at__isnull=True, next_warn_at__isnull=True, next_due_kind="")
                | Q(
                    next_due_at__isnull=False, next_warn_at__isnull=False, next_due_kind__in=ClockKind.values
                ),
                name="case_next_deadline_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        """The case page (the admin's "view on site"): staff in scope read it with the complainant masked."""
        return f"/disputes/{self.pk}/"

    @property
    def respondent_label(self) -> str:
        return self.respondent.display_name if self.respondent_id else self.respondent_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(TransitionEvent):
    subject_field = "case"

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=24, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, choices=CaseStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("案件处理记录")
        verbose_name_plural = _("案件处理记录")


CASE_WORKFLOW = Workflow(model=Case, table=CASE_TRANSITIONS, event_model=CaseEvent, subject="case")


class ClaimLine(models.Model):
    """One thing the complainant asks for: its type, amount and period. Whether an arbitration award on it
    would be final for the employer (一裁终局: amount ≤ 12 × the local monthly minimum wage on the date the
    complaint was received) is decided at intake and stored with the figures it used."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="claims")
    claim_type = models.CharField(_("诉求类型"), max_length=20, choices=ClaimType.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    period_from = models.DateField(_("起始日期"), null=True, blank=True)
    period_to = models.DateField(_("截止日期"), null=True, blank=True)
    final_award_limit = models.DecimalField(
        _("终局裁决限额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    final_award_wage_from = models.DateField(_("所用最低工资施行日期"), null=True, blank=True)
    final_award = models.BooleanField(_("可一裁终局"), null=True, blank=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
            models.CheckConstraint(condition=Q(claim_type__in=ClaimType.values), name="claim_type_valid"),
            models.CheckConstraint(
                condition=Q(period_from__isnull=True)
                | Q(period_to__isnull=True)
                | Q(period_to__gte=models.F("period_from")),
                name="claim_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_claim_type_display()} ¥{self.amount}"


class Evidence(models.Model):
    """An uploaded piece of evidence: an image (re-encoded) or a PDF (checked), in private storage, served
    only through a permission-checked view."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("类型"), max_length=8, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="disputes/evidence/%Y/%m/", storage=private_storage)
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
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid")
        ]

    def __str__(self) -> str:
        return self.description or f"{self.get_kind_display()} {self.pk}"


class CaseClockQuerySet(models.QuerySet):
    def running(self):
        return self.filter(stopped_at__isnull=True)

    def with_deadline(self):
        """``current_due`` (the extension's date, else the original) and ``warn_from`` (the share of the time
        allowed after which the clock is due soon, ``LINGONG_CASE_ESCALATE_SHARE``)."""
        share = settings.LINGONG_CASE_ESCALATE_SHARE
        return self.annotate(current_due=Coalesce("extended_due_at", "due_at")).annotate(
            warn_from=models.ExpressionWrapper(
                models.F("started_at") + (models.F("current_due") - models.F("started_at")) * share,
                output_field=models.DateTimeField(),
            )
        )

    def due_for_escalation(self, now):
        """Running clocks with a threshold reached and not yet escalated."""
        return (
            self.running()
            .with_deadline()
            .filter(
                Q(escalated_overdue_at__isnull=True, current_due__lte=now)
                | Q(escalated_warn_at__isnull=True, warn_from__lte=now)
            )
        )


class CaseClock(models.Model):
    """One statutory time limit of a case, computed when it started from the ``ClockRule`` in force that day
    and stored with that rule's figures and version: a later rule or calendar change never moves it. An
    extension is a ``ClockExtension`` row (at most one); ``extended_due_at`` is the date it set."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("期限类型"), max_length=20, choices=ClockKind.choices)
    rule = models.ForeignKey(
        ClockRule, verbose_name=_("时限规则"), on_delete=models.PROTECT, related_name="+"
    )
    rule_version = models.CharField(_("规则版本"), max_length=40)
    day_kind = models.CharField(_("计算方式"), max_length=10, choices=DayKind.choices)
    days = models.PositiveSmallIntegerField(_("期限（天）"))
    max_extension_days = models.PositiveSmallIntegerField(_("可延长（天）"))
    started_at = models.DateTimeField(_("起算时间"))
    due_on = models.DateField(_("到期日"))
    due_at = models.DateTimeField(_("截止时间"))
    extended_due_on = models.DateField(_("延长后到期日"), null=True, blank=True)
    extended_due_at = models.DateTimeField(_("延长后截止时间"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)
    escalated_warn_at = models.DateTimeField(_("临期督办时间"), null=True, blank=True)
    escalated_overdue_at = models.DateTimeField(_("超期督办时间"), null=True, blank=True)

    objects = CaseClockQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["stopped_at", "due_at"], name="case_clock_running_idx"),
            # the staff queue: a case's running clocks with what its deadline state reads (index-only probes)
            models.Index(
                fields=["case"],
                include=["due_at", "extended_due_at", "started_at", "id", "kind"],
                name="case_clock_running_nearest_idx",
                condition=Q(stopped_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ClockKind.values), name="case_clock_kind_valid"),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(stopped_at__isnull=True),
                name="case_clock_one_running_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.current_due_on:%Y-%m-%d}"

    @property
    def current_due_on(self):
        return self.extended_due_on or self.due_on

    @property
    def current_due_at(self):
        return self.extended_due_at or self.due_at


class ClockExtension(models.Model):
    """The one approved extension of a clock (the law allows one): who approved it, why, by how many days,
    and the due date before and after. Never an edit of the clock's own date."""

    clock = models.OneToOneField(
        CaseClock, verbose_name=_("办理时限"), on_delete=models.CASCADE, related_name="extension"
    )
    days = models.PositiveSmallIntegerField(_("延长（天）"))
    reason = models.TextField(_("延长理由"), max_length=1000)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now)
    due_on_before = models.DateField(_("原到期日"))
    due_on_after = models.DateField(_("延长后到期日"))

    class Meta:
        verbose_name = _("延长审批")
        verbose_name_plural = _("延长审批")
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="clock_extension_days_positive")]

    def __str__(self) -> str:
        return f"{self.clock} +{self.days}"
