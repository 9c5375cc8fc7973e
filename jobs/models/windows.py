"""Validity windows (issue 18, ADR 0041): when a job-seeker registration was seeking work in an occupation,
and when a posting was open — so a past month's supply and demand counts what was valid then, never today's
rows. A window is [opened, closed); ``closed`` empty means still open. The services that change a seeker's
availability or a posting's status keep them (``jobs.services.windows``); nothing else writes them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .occupations import Occupation
from .postings import Posting
from .profiles import WorkerProfile


class SeekerSpell(models.Model):
    """One spell of a job-seeker registration seeking work in one occupation (a skill on record; empty when
    the worker lists no skill): from registration or the change that made them available, until the change
    that made them unavailable or dropped the occupation."""

    profile = models.ForeignKey(
        WorkerProfile, verbose_name=_("求职登记"), on_delete=models.CASCADE, related_name="seeker_spells"
    )
    occupation = models.ForeignKey(
        Occupation,
        verbose_name=_("求职工种"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始求职时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束求职时间"), null=True, blank=True, db_index=True)
    end_reason = models.CharField(_("结束原因"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("求职有效期")
        verbose_name_plural = _("求职有效期")
        ordering = ["profile", "started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="seekerspell_ordered",
            ),
            # at most one open spell per registration and occupation (the empty occupation counted once too)
            models.UniqueConstraint(
                fields=["profile", "occupation"],
                condition=Q(ended_at__isnull=True, occupation__isnull=False),
                name="seekerspell_one_open",
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(ended_at__isnull=True, occupation__isnull=True),
                name="seekerspell_one_open_unskilled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.occupation or ''} {self.started_at:%Y-%m-%d}–"


class PostingWindow(models.Model):
    """One stretch of a posting being published (招聘中): from publication (or republication after a hire
    withdrew) until it was filled, closed or expired. A posting also stops being valid after its last work
    date, whether or not the expiry run has closed its window yet."""

    posting = models.ForeignKey(
        Posting, verbose_name=_("招聘信息"), on_delete=models.CASCADE, related_name="windows"
    )
    opened_at = models.DateTimeField(_("开始有效时间"), db_index=True)
    closed_at = models.DateTimeField(_("结束有效时间"), null=True, blank=True, db_index=True)
    close_reason = models.CharField(_("结束原因"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("招聘有效期")
        verbose_name_plural = _("招聘有效期")
        ordering = ["posting", "opened_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="postingwindow_ordered",
            ),
            models.UniqueConstraint(
                fields=["posting"], condition=Q(closed_at__isnull=True), name="postingwindow_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posting} {self.opened_at:%Y-%m-%d}–"
