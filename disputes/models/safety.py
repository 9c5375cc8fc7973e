"""Market safety reports and each county's rights contacts (ADR 0027)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.storage import private_storage
from core import masking
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from markets.models import Inspection, Market

from ..choices import (
    SAFETY_REPORT_TRANSITIONS,
    HazardKind,
    SafetyReportStatus,
)

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
