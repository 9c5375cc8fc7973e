"""The proactive offer (免申即享): the portal finds, from its own records, the workers who appear eligible
for a program in a period and sends each a pre-filled application to confirm — one offer (and one
notification) per person, program and period. ``OfferRun`` is one run of the finder, with its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow

from ..choices import ACTIVE_RUN_STATUSES, OFFER_TRANSITIONS, RUN_TRANSITIONS, OfferStatus, RunStatus
from .applications import Application
from .programs import MONEY, EligibilityDecision, ProgramType


class OfferRunQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return None


class OfferRun(TimeStampedModel):
    """One run of the proactive eligibility finder over every program offered to workers and its periods
    (the monthly task, or city staff from the admin): progress while it runs (people checked of people,
    errors so far) and the result report. One run at a time (``lane``)."""

    scope_field = "started_by__scope_unit"

    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    lane = models.CharField(_("通道"), max_length=10, default="city", editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示每月定时任务"),
    )
    as_of = models.DateField(_("测算日期"))
    rows_total = models.PositiveIntegerField(_("待测算人次"), default=0)
    rows_done = models.PositiveIntegerField(_("已测算人次"), default=0)
    errors = models.PositiveIntegerField(_("出错人次"), default=0)
    offered_count = models.PositiveIntegerField(_("新推送"), default=0)
    report = models.JSONField(_("结果"), default=list, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = OfferRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("免申即享测算")
        verbose_name_plural = _("免申即享测算")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="offerrun_status_valid"),
            models.UniqueConstraint(
                fields=["lane"], condition=Q(status__in=ACTIVE_RUN_STATUSES), name="offerrun_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class OfferRunEvent(TransitionEvent):
    subject_field = "offer_run"

    offer_run = models.ForeignKey(
        OfferRun, verbose_name=_("免申即享测算"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=RunStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=RunStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("测算状态记录")
        verbose_name_plural = _("测算状态记录")


OFFER_RUN_WORKFLOW = Workflow(
    model=OfferRun, table=RUN_TRANSITIONS, event_model=OfferRunEvent, subject="offer_run"
)


class OfferQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)


class Offer(TimeStampedModel):
    """A program's pre-filled application offered to a person who appears eligible for a period, with the
    calculator's decision (figures and reasons) it rests on. The person confirms it (it becomes their
    application) or declines it."""

    scope_field = "person__scope_unit"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="subsidy_offers",
    )
    program_type = models.ForeignKey(
        ProgramType, verbose_name=_("补贴项目"), on_delete=models.PROTECT, related_name="offers"
    )
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    decision = models.ForeignKey(
        EligibilityDecision, verbose_name=_("资格测算"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("测算金额（元）"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    run = models.ForeignKey(
        OfferRun,
        verbose_name=_("测算批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offer",
        help_text=_("确认后生成的申请"),
    )
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("免申即享推送")
        verbose_name_plural = _("免申即享推送")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "program_type", "period_start"], name="offer_person_program_period"
            ),
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values), name="offer_status_valid"),
        ]
        indexes = [models.Index(fields=["program_type", "status"], name="offer_program_status")]

    def __str__(self) -> str:
        return f"{self.program_type} {self.person_id} {self.period_start}"


class OfferEvent(TransitionEvent):
    subject_field = "offer"

    offer = models.ForeignKey(
        Offer, verbose_name=_("免申即享推送"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=OfferStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=OfferStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("推送状态记录")
        verbose_name_plural = _("推送状态记录")


OFFER_WORKFLOW = Workflow(model=Offer, table=OFFER_TRANSITIONS, event_model=OfferEvent, subject="offer")
