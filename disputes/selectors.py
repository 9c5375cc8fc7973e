"""Reads of the disputes app: scoped case lists, the staff queue by nearest deadline with its deadline state
(on time / due soon / overdue). The nearest running clock is stored on the case (``next_due_at``,
``next_warn_at``, ``next_due_kind``: ADR 0031), so the queue, its filter and its states read columns, not the
clocks."""

from __future__ import annotations

from django.db.models import Case as When_
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.scope import scope_of
from jobs.models import EmployerProfile

from .choices import DeadlineState
from .models import Case, ClaimLine


def deadline_q(state: str, now) -> Q:
    """The cases whose deadline state (of their nearest running clock, stored on the case) is ``state``:
    overdue past its due; due soon past its warning point (the escalation's share of its time) and not yet
    due; on time otherwise (no running clock included). On the open cases these are ranges of the partial
    index ``case_open_scope_next_due_idx``."""
    if state == DeadlineState.OVERDUE:
        return Q(next_due_at__lte=now)
    if state == DeadlineState.DUE_SOON:
        return Q(next_warn_at__lte=now, next_due_at__gt=now)
    return Q(next_warn_at__gt=now) | Q(next_warn_at__isnull=True)


def case_list(*, user):
    """The cases a person may see (their own, or their scope), newest first."""
    return (
        Case.objects.visible_to(user)
        .select_related("scope_unit", "respondent")
        .order_by("-received_at", "-id")
    )


def _by_deadline(qs, deadline: str, now):
    if deadline in DeadlineState.values:
        qs = qs.filter(deadline_q(deadline, now))
    return qs.order_by(F("next_due_at").asc(nulls_last=True), "id")


def case_queue(*, user, deadline: str = "", now=None, include_closed: bool = False):
    """Open cases in the user's scope, nearest deadline first, each annotated with ``deadline_at`` (the
    stored ``next_due_at``) and ``deadline_state``: overdue past the deadline, due soon past
    ``LINGONG_CASE_ESCALATE_SHARE`` of the time allowed."""
    now = now or timezone.now()
    qs = Case.objects.visible_to(user)
    if not include_closed:
        qs = qs.open()
    qs = qs.select_related("scope_unit", "respondent").annotate(
        deadline_at=F("next_due_at"),
        deadline_state=When_(
            When(next_due_at__lte=now, then=Value(DeadlineState.OVERDUE)),
            When(next_warn_at__lte=now, then=Value(DeadlineState.DUE_SOON)),
            default=Value(DeadlineState.ON_TIME),
            output_field=CharField(),
        ),
    )
    return _by_deadline(qs, deadline, now)


def staff_queue(*, user, deadline: str = "", now=None):
    """The staff queue (``/api/v1/case-queue/``): the open cases of the user's staff scope (their county's,
    or the city's), nearest deadline first (the stored ``next_due_at``, then id: an index range scan), each
    with its claim lines' count and total and the respondent's name (the state is ``deadline_state_of``).
    Only the scope: a county clerk's own complaints are not part of their work queue (and the scope alone
    keeps the county index usable). Nothing for a user without a staff scope."""
    now = now or timezone.now()
    scope = scope_of(user)
    qs = Case.objects.open()
    if scope.is_empty:
        qs = qs.none()
    elif not scope.all:
        qs = qs.filter(scope_unit__in=scope.unit_ids)
    claims = ClaimLine.objects.filter(case=OuterRef("pk")).order_by().values("case")
    respondent = EmployerProfile.objects.filter(pk=OuterRef("respondent_id")).values("display_name")[:1]
    # the respondent's name as a subquery, not a join: evaluated for the page's rows only (a join made the
    # planner hash every employer profile)
    qs = qs.select_related("scope_unit").annotate(
        respondent_display=Coalesce(Subquery(respondent), F("respondent_name")),
        claims_count=Subquery(claims.annotate(n=Count("pk")).values("n")),
        claims_amount=Subquery(claims.annotate(total=Sum("amount")).values("total")),
    )
    return _by_deadline(qs, deadline, now)


def deadline_state_of(case: Case, now=None) -> str:
    """The deadline state of one case from its stored next deadline (pages, API rows, the admin): no
    query."""
    now = now or timezone.now()
    if case.next_due_at is None:
        return DeadlineState.ON_TIME
    if now >= case.next_due_at:
        return DeadlineState.OVERDUE
    if now >= case.next_warn_at:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
