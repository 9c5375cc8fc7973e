"""Recruitment fairs (集市, 夜市) with their booths and registrations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ScopeUnit, TimeStampedModel
from core.scope import ScopedQuerySet
from markets.models import Market

from ..choices import FairKind
from .profiles import EmployerProfile

# What staff write when they hold a fair: the fair service and the API's write serializer (which names the
# county ``county``).
FAIR_FIELDS = (
    "kind",
    "title",
    "theme",
    "scope_unit",
    "market",
    "place",
    "starts_at",
    "ends_at",
    "booth_capacity",
)


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
