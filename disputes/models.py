"""Rights protection (notice measure 7): complaints from every channel, each a ``Case`` on the case workflow,
its claim lines, evidence, the routing rule that sent it to a queue, and the statutory clocks computed from an
effective-dated rule table (ADR 0020)."""

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
from markets.models import Inspection, Market
from work.models import WorkOrder

from .choices import (
    CASE_TRANSITIONS,
    OPEN_STATUSES,
    RESPONDENT_STATUSES,
    SAFETY_REPORT_TRANSITIONS,
    AnswerPosition,
    BlacklistBasis,
    BlacklistStatus,
    CaseStatus,
    Channel,
    ClaimType,
    ClockKind,
    DayKind,
    EvidenceKind,
    HazardKind,
    MediationOutcome,
    Queue,
    ReferralBody,
    RelationshipType,
    SafetyReportStatus,
    VisitMethod,
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
        ]

    def __str__(self) -> str:
        return self.number

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


# --- wage arrears and the arrears blacklist (ADR 0026) ---------------------------------------------------------


class ArrearsProposal(models.Model):
    """The link between a wage-arrears alert of the work app and the case it proposed to county staff: one
    per alert (the one-to-one is the guarantee that a rerun or a concurrent scan never proposes a second)."""

    alert = models.OneToOneField(
        "work.ArrearsAlert",
        verbose_name=_("欠薪预警"),
        on_delete=models.PROTECT,
        related_name="dispute_proposal",
    )
    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="arrears_proposal"
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("欠薪预警转案件")
        verbose_name_plural = _("欠薪预警转案件")

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.case_id}"


class BlacklistThreshold(TimeStampedModel):
    """The province's amount from which unpaid wages past a payment order's deadline put an employer on the
    arrears blacklist (数额较大: the 拒不支付劳动报酬罪 standard the province sets), effective-dated: a new
    notice is a new row, and a decision uses the row in force on its date."""

    province = models.CharField(_("省份"), max_length=20)
    effective_from = models.DateField(_("施行日期"))
    amount = models.DecimalField(_("数额标准（元）"), max_digits=12, decimal_places=2)
    basis = models.CharField(_("依据"), max_length=300)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("失信名单数额标准")
        verbose_name_plural = _("失信名单数额标准")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "effective_from"], name="blacklist_threshold_one_per_date"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="blacklist_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.province} ¥{self.amount}（{self.effective_from:%Y-%m-%d}）"


class BlacklistEntryQuerySet(ScopedQuerySet):
    def in_force(self, on=None):
        """Listed on ``on`` (today): not lifted, and ``listed_from ≤ on ≤ listed_until``. Expiry needs no scan."""
        on = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True, listed_from__lte=on, listed_until__gte=on)


class BlacklistEntry(TimeStampedModel):
    """An employer on the wage-arrears blacklist (拖欠农民工工资失信联合惩戒对象名单): a staff decision with its
    basis (a payment order unpaid past its deadline for at least the threshold, or a mass incident), for
    3 years from the decision, lifted early only when the wages are paid, 6 months have passed and the employer
    has given a written credit-repair promise. While in force, jobs refuses the employer's postings
    (``BLACKLIST_CHECKS``)."""

    scope_field = "employer__scope_unit"

    employer = models.ForeignKey(
        EmployerProfile, verbose_name=_("用工方"), on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    basis = models.CharField(_("列入依据"), max_length=20, choices=BlacklistBasis.choices)
    payment_order_number = models.CharField(_("限期支付文书编号"), max_length=60, blank=True)
    payment_order_deadline = models.DateField(_("限期支付截止日"), null=True, blank=True)
    amount_unpaid = models.DecimalField(
        _("逾期未支付金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    threshold = models.ForeignKey(
        BlacklistThreshold,
        verbose_name=_("适用数额标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    threshold_amount = models.DecimalField(
        _("适用标准（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    incident_description = models.TextField(_("群体性事件情况"), max_length=2000, blank=True)
    decision_number = models.CharField(_("列入决定书文号"), max_length=60, blank=True)
    decided_on = models.DateField(_("决定日期"))
    decided_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    listed_from = models.DateField(_("列入日期"))
    listed_until = models.DateField(_("惩戒期至"))
    lifted_at = models.DateTimeField(_("提前移出时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移出登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lift_reason = models.TextField(_("移出理由"), max_length=1000, blank=True)
    wages_paid_on = models.DateField(_("工资全额支付日期"), null=True, blank=True)
    promise = models.FileField(
        _("信用修复承诺书"), upload_to="disputes/blacklist/%Y/%m/", storage=private_storage, blank=True
    )
    promise_sha256 = models.CharField(_("承诺书 SHA-256"), max_length=64, blank=True)

    objects = BlacklistEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("拖欠农民工工资失信名单")
        verbose_name_plural = _("拖欠农民工工资失信名单")
        ordering = ["-listed_from", "-id"]
        indexes = [models.Index(fields=["employer", "listed_until"], name="blacklist_employer_until_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=BlacklistBasis.values), name="blacklist_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(listed_until__gte=models.F("listed_from")), name="blacklist_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(basis=BlacklistBasis.PAYMENT_ORDER) | Q(amount_unpaid__isnull=False),
                name="blacklist_payment_order_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.listed_from:%Y-%m-%d}—{self.listed_until:%Y-%m-%d}"

    def status_on(self, on=None) -> str:
        on = on or timezone.localdate()
        if self.lifted_at is not None:
            return BlacklistStatus.LIFTED
        if on > self.listed_until:
            return BlacklistStatus.EXPIRED
        return BlacklistStatus.LISTED

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return BlacklistStatus(self.status).label


class BlacklistPerson(models.Model):
    """A responsible person of a listed employer (法定代表人、主要负责人、实际控制人), listed with it. Name
    and ID number are personal data: masked everywhere, the public page shows the masked name only."""

    personal_fields = {"name": masking.NAME, "id_number": masking.ID_NUMBER}

    entry = models.ForeignKey(
        BlacklistEntry, verbose_name=_("名单记录"), on_delete=models.CASCADE, related_name="persons"
    )
    role = models.CharField(_("身份"), max_length=30)
    name = models.CharField(_("姓名"), max_length=40)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("失信名单责任人")
        verbose_name_plural = _("失信名单责任人")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.role} {masking.mask_name(self.name)}"

    @property
    def masked_name(self) -> str:
        return masking.mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)


class CaseRecordQuerySet(ScopedQuerySet):
    """Rows hanging off a case: staff of its county (and the city) only."""


class EvidenceBundle(models.Model):
    """The evidence drawn from the work record for a case (ADR 0025): the posting, the application and hire,
    each of the complainant's work orders with the employer (check-in and out, hours and corrections,
    approval, payments and callbacks, messages to the worker), as one JSON document with the SHA-256 of its
    canonical form. Rebuilt on request until the case is referred; then frozen, never rebuilt."""

    scope_field = "case__scope_unit"

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="evidence_bundle"
    )
    built_at = models.DateTimeField(_("生成时间"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content = models.JSONField(_("内容"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    frozen_at = models.DateTimeField(_("固定时间"), null=True, blank=True)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("用工记录证据包")
        verbose_name_plural = _("用工记录证据包")
        ordering = ["-built_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.sha256[:12]}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Referral(models.Model):
    """A case sent down the green channel to labour inspection or arbitration: when, the packet as it was
    sent (and its SHA-256), and what came back — the body's own case number and outcome, recorded by staff."""

    scope_field = "case__scope_unit"

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="referrals")
    body = models.CharField(_("移送机构"), max_length=12, choices=ReferralBody.choices)
    referred_at = models.DateTimeField(_("移送时间"), default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    packet = models.JSONField(_("移送材料"))
    packet_sha256 = models.CharField(_("移送材料 SHA-256"), max_length=64)
    external_case_number = models.CharField(_("对方案件编号"), max_length=60, blank=True)
    external_outcome = models.TextField(_("对方处理结果"), max_length=2000, blank=True)
    outcome_recorded_at = models.DateTimeField(_("结果登记时间"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结果登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("绿色通道移送")
        verbose_name_plural = _("绿色通道移送")
        ordering = ["-referred_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(body__in=ReferralBody.values), name="referral_body_valid"),
            models.UniqueConstraint(fields=["case", "body"], name="referral_once_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.get_body_display()}"


# --- timely intervention: the respondent's answer, mediation and its agreement, visits back, satisfaction ---


class CaseChildQuerySet(ScopedQuerySet):
    """Rows of a case, seen by staff in the case's scope (and by owners where a subclass says so)."""


class RespondentAnswer(models.Model):
    """The respondent's answer to an accepted case (答辩): their account of the facts and, per claim line,
    whether they accept it, dispute it or accept part of it. One per case, written once on the pages or the
    API by the employer on record; an optional upload is stored as evidence of the case."""

    scope_field = "case__scope_unit"

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="respondent_answer"
    )
    account = models.TextField(_("被投诉方陈述"), max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), default=timezone.now)
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("答复材料"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("被投诉方答复")
        verbose_name_plural = _("被投诉方答复")
        ordering = ["-answered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} · {self.answered_at:%Y-%m-%d}"


class AnswerLine(models.Model):
    """The respondent's position on one claim line: accepted (the whole amount), disputed (nothing), or
    partly accepted (the amount they accept, less than claimed)."""

    answer = models.ForeignKey(
        RespondentAnswer, verbose_name=_("答复"), on_delete=models.CASCADE, related_name="lines"
    )
    claim = models.OneToOneField(
        ClaimLine, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="answer_line"
    )
    position = models.CharField(_("意见"), max_length=8, choices=AnswerPosition.choices)
    accepted_amount = models.DecimalField(_("认可金额（元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("诉求答复")
        verbose_name_plural = _("诉求答复")
        ordering = ["claim_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__in=AnswerPosition.values), name="answer_line_position_valid"
            ),
            models.CheckConstraint(
                condition=Q(accepted_amount__gte=0), name="answer_line_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim}: {self.get_position_display()} ¥{self.accepted_amount}"


class MediationRecord(TimeStampedModel):
    """One mediation session of a case (调解笔录): when, who mediated, who took part, what came of it. A
    session that ends in an agreement carries its terms; an agreement to pay is paid by the employer through
    the work app's payment services (the agreed work order's payment, ADR 0028) and is fulfilled when the
    worker confirms receipt, which resolves the case."""

    scope_field = "case__scope_unit"

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="mediation_records"
    )
    held_on = models.DateField(_("调解日期"))
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调解员"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    participants = models.CharField(_("参加人员"), max_length=300)
    notes = models.TextField(_("调解情况"), max_length=4000, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=MediationOutcome.choices)
    # the agreement (outcome = agreement)
    agreed_amount = models.DecimalField(
        _("协议支付金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    pay_by = models.DateField(_("支付期限"), null=True, blank=True)
    terms = models.TextField(_("协议内容"), max_length=4000, blank=True)
    work_order = models.ForeignKey(
        "work.WorkOrder",
        verbose_name=_("支付的用工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment = models.ForeignKey(
        "work.Payment",
        verbose_name=_("支付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_declared_at = models.DateTimeField(_("用工方登记付款时间"), null=True, blank=True)
    paid_note = models.CharField(_("付款说明"), max_length=200, blank=True)
    receipt_confirmed_at = models.DateTimeField(_("劳动者确认收款时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=MediationOutcome.values), name="mediation_outcome_valid"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(outcome="agreement"), name="mediation_one_agreement_per_case"
            ),
            models.CheckConstraint(
                condition=Q(agreed_amount__isnull=True) | Q(agreed_amount__gte=0),
                name="mediation_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.held_on:%Y-%m-%d} · {self.get_outcome_display()}"

    @property
    def is_agreement_to_pay(self) -> bool:
        return self.outcome == MediationOutcome.AGREEMENT and bool(self.agreed_amount)


class VisitBack(TimeStampedModel):
    """A visit back (回访) after a case is resolved: when, how, what the complainant said."""

    scope_field = "case__scope_unit"

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("回访日期"))
    method = models.CharField(_("回访方式"), max_length=8, choices=VisitMethod.choices)
    notes = models.TextField(_("回访情况"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=VisitMethod.values), name="visit_method_valid")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.visited_on:%Y-%m-%d}"


class SatisfactionRating(models.Model):
    """The complainant's rating of how their case was handled (1–5 and a comment), given once after it was
    resolved."""

    scope_field = "case__scope_unit"

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    stars = models.PositiveSmallIntegerField(_("满意度（1–5）"))
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="satisfaction_stars_range")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.stars}★"


# --- market safety reports and the county's rights contacts (ADR 0027) ------------------------------------------


class SafetyReportQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(reporter=user)


class SafetyReport(TimeStampedModel):
    """A hazard at a market reported by anyone, signed in or not (隐患报告): what, where, a photo (re-encoded,
    private storage) and an optional contact. County staff triage it into an inspection of the market (through
    the markets services, whose decision may suspend or ban it) or dismiss it with a reason. The reporter's
    identity is never shown to the market's operator."""

    scope_field = "scope_unit"
    personal_fields = {"contact_name": masking.NAME, "contact_phone": masking.PHONE}

    number = models.CharField(_("报告编号"), max_length=20, unique=True)
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="safety_reports"
    )
    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.PROTECT, related_name="safety_reports"
    )
    hazard_kind = models.CharField(_("隐患类型"), max_length=16, choices=HazardKind.choices)
    description = models.TextField(_("情况描述"), max_length=2000)
    spot = models.CharField(_("具体位置"), max_length=120, blank=True, help_text=_("例如：东门雨棚下"))
    lat = models.FloatField(_("纬度（WGS-84）"), null=True, blank=True)
    lng = models.FloatField(_("经度（WGS-84）"), null=True, blank=True)
    photo = models.FileField(
        _("照片"), upload_to="disputes/safety/%Y/%m/", storage=private_storage, blank=True
    )
    photo_sha256 = models.CharField(_("照片 SHA-256"), max_length=64, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="safety_reports",
    )
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=SafetyReportStatus.choices, default=SafetyReportStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("安全检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    dismiss_reason = models.TextField(_("不予处理理由"), max_length=1000, blank=True)
    outcome = models.CharField(_("处置结果"), max_length=300, blank=True)
    concluded_at = models.DateTimeField(_("处置时间"), null=True, blank=True)

    objects = SafetyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("市场安全隐患报告")
        verbose_name_plural = _("市场安全隐患报告")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["scope_unit", "status"], name="safety_report_scope_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SafetyReportStatus.values), name="safety_report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(hazard_kind__in=HazardKind.values), name="safety_report_hazard_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=SafetyReportStatus.DISMISSED) | ~Q(dismiss_reason=""),
                name="safety_report_dismiss_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[SafetyReportStatus.RECEIVED, SafetyReportStatus.DISMISSED])
                | Q(inspection__isnull=False),
                name="safety_report_inspecting_has_inspection",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SafetyReportEvent(TransitionEvent):
    subject_field = "report"

    report = models.ForeignKey(
        SafetyReport, verbose_name=_("隐患报告"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=SafetyReportStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=SafetyReportStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("隐患报告处理记录")
        verbose_name_plural = _("隐患报告处理记录")


SAFETY_REPORT_WORKFLOW = Workflow(
    model=SafetyReport, table=SAFETY_REPORT_TRANSITIONS, event_model=SafetyReportEvent, subject="report"
)


class RightsContact(TimeStampedModel):
    """Where a county's gig workers turn for their rights, as published on every market's page and board: the
    county's 12333 line (a local number, or the national 12333 when empty), its labour-security inspection
    team (劳动保障监察) and labour-dispute arbitration commission (劳动人事争议仲裁院). Data kept by city staff
    in the admin, never constants."""

    scope_field = "scope_unit"

    scope_unit = models.OneToOneField(
        ScopeUnit, verbose_name=_("县（市、区）"), on_delete=models.CASCADE, related_name="rights_contact"
    )
    rights_hotline = models.CharField(
        _("劳动保障维权热线"), max_length=32, blank=True, help_text=_("留空则显示全国统一号码 12333")
    )
    inspection_name = models.CharField(_("劳动保障监察机构"), max_length=100, blank=True)
    inspection_phone = models.CharField(_("监察举报电话"), max_length=32, blank=True)
    inspection_address = models.CharField(_("监察机构地址"), max_length=200, blank=True)
    arbitration_name = models.CharField(_("劳动人事争议仲裁机构"), max_length=100, blank=True)
    arbitration_phone = models.CharField(_("仲裁咨询电话"), max_length=32, blank=True)
    arbitration_address = models.CharField(_("仲裁机构地址"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("例如：工作日 9:00–17:00"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("维权联系方式")
        verbose_name_plural = _("维权联系方式")
        ordering = ["scope_unit__code"]

    def __str__(self) -> str:
        return str(self.scope_unit)
