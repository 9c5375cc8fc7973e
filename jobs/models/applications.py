"""Applications to postings — by the worker, by staff referral (职业介绍) or at a market counter — with their
history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow

from ..choices import APPLICATION_TRANSITIONS, ApplicationSource, ApplicationStatus
from .postings import Posting


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
    """One step of an application (applied, accepted, rejected, withdrawn)."""

    subject_field = "application"

    application = models.ForeignKey(
        Application, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ApplicationStatus.choices)
    reason = models.CharField(_("原因"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("报名状态记录")
        verbose_name_plural = _("报名状态记录")


APPLICATION_WORKFLOW = Workflow(
    model=Application, table=APPLICATION_TRANSITIONS, event_model=ApplicationEvent, subject="application"
)


class InvitationQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(worker=user) | Q(posting__employer__user=user)


class Invitation(models.Model):
    """An employer's invitation to a recommended worker to apply to a posting (邀请报名): once per worker
    and posting; the worker is told and sees it on their home page."""

    scope_field = "posting__scope_unit"

    posting = models.ForeignKey(
        Posting, verbose_name=_("招聘信息"), on_delete=models.CASCADE, related_name="invitations"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劳动者"),
        on_delete=models.CASCADE,
        related_name="job_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("邀请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("邀请报名")
        verbose_name_plural = _("邀请报名")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "worker"], name="invitation_once_per_worker")
        ]

    def __str__(self) -> str:
        return f"{self.posting} → {self.worker}"
