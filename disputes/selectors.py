"""Reads of the disputes app: scoped case lists, the staff queue by nearest deadline with its deadline state
(on time / due soon / overdue)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import (
    CharField,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import DeadlineState
from .models import Case, CaseClock


def _nearest_clock(field: str):
    return Subquery(
        CaseClock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True)
        .annotate(current=Coalesce("extended_due_at", "due_at"))
        .order_by("current")
        .values(field)[:1]
    )


def case_list(*, user):
    """The cases a person may see (their own, or their scope), newest first."""
    return (
        Case.objects.visible_to(user)
        .select_related("scope_unit", "respondent")
        .order_by("-received_at", "-id")
    )


def case_queue(*, user, deadline: str = "", now=None, include_closed: bool = False):
    """Open cases in the user's scope, nearest deadline first, each annotated with ``deadline_at`` and
    ``deadline_state``: overdue past the deadline, due soon past ``LINGONG_CASE_ESCALATE_SHARE`` of the
    time allowed."""
    now = now or timezone.now()
    share = settings.LINGONG_CASE_ESCALATE_SHARE
    qs = Case.objects.visible_to(user)
    if not include_closed:
        qs = qs.open()
    qs = (
        qs.select_related("scope_unit", "respondent")
        .annotate(deadline_at=_nearest_clock("current"), deadline_started=_nearest_clock("started_at"))
        .annotate(
            warn_from=ExpressionWrapper(
                F("deadline_started") + (F("deadline_at") - F("deadline_started")) * share,
                output_field=DateTimeField(),
            )
        )
        .annotate(
            deadline_state=When_(
                When(deadline_at__lte=now, then=Value(DeadlineState.OVERDUE)),
                When(warn_from__lte=now, then=Value(DeadlineState.DUE_SOON)),
                default=Value(DeadlineState.ON_TIME),
                output_field=CharField(),
            )
        )
    )
    if deadline in DeadlineState.values:
        qs = qs.filter(deadline_state=deadline)
    return qs.order_by(F("deadline_at").asc(nulls_last=True), "id")


def deadline_state_of(case: Case, now=None) -> str:
    """The same state for one case, in Python (pages)."""
    from .services import warn_at

    now = now or timezone.now()
    clocks = [c for c in case.clocks.all() if c.stopped_at is None]
    if not clocks:
        return DeadlineState.ON_TIME
    clock = min(clocks, key=lambda c: c.current_due_at)
    if now >= clock.current_due_at:
        return DeadlineState.OVERDUE
    if now >= warn_at(clock):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
