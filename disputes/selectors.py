"""Reads of the disputes app: scoped case lists, the staff queue by nearest deadline with its deadline state
(on time / due soon / overdue)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.scope import scope_of
from jobs.models import EmployerProfile

from .choices import DeadlineState
from .models import Case, CaseClock, ClaimLine


def _nearest_clock(field: str):
    return Subquery(
        CaseClock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True)
        .annotate(current=Coalesce("extended_due_at", "due_at"))
        .order_by("current", "id")
        .values(field)[:1]
    )


def _nearest_running(now):
    """Running clocks that are their case's nearest (no other running clock of the case is due earlier, or
    as early with a smaller id), with ``current_due`` and ``warn_from``."""
    earlier = (
        CaseClock.objects.filter(case=OuterRef("case"), stopped_at__isnull=True)
        .annotate(current=Coalesce("extended_due_at", "due_at"))
        .filter(
            Q(current__lt=OuterRef("current_due")) | Q(current=OuterRef("current_due"), id__lt=OuterRef("id"))
        )
    )
    return CaseClock.objects.running().with_deadline().filter(~Exists(earlier))


def deadline_q(state: str, now) -> Q:
    """The cases whose deadline state (of their nearest running clock) is ``state``, as EXISTS conditions on
    the running clocks (semi- and anti-joins on the partial index ``case_clock_running_nearest_idx``) rather
    than a filter on the per-row annotation: overdue when any running clock is past due (then the nearest
    is); due soon when the nearest is past its warning share but not due; on time otherwise (no running clock
    included)."""
    of_case = {"case": OuterRef("pk")}
    overdue = Exists(CaseClock.objects.running().with_deadline().filter(current_due__lte=now, **of_case))
    warned = Exists(_nearest_running(now).filter(warn_from__lte=now, **of_case))
    if state == DeadlineState.OVERDUE:
        return Q(overdue)
    if state == DeadlineState.DUE_SOON:
        return Q(warned) & ~Q(overdue)
    return ~Q(warned)


def case_list(*, user):
    """The cases a person may see (their own, or their scope), newest first."""
    return (
        Case.objects.visible_to(user)
        .select_related("scope_unit", "respondent")
        .order_by("-received_at", "-id")
    )


def _with_deadline(qs, now):
    share = settings.LINGONG_CASE_ESCALATE_SHARE
    return qs.annotate(
        deadline_at=_nearest_clock("current"), deadline_started=_nearest_clock("started_at")
    ).annotate(
        warn_from=ExpressionWrapper(
            F("deadline_started") + (F("deadline_at") - F("deadline_started")) * share,
            output_field=DateTimeField(),
        ),
        deadline_state=When_(
            When(deadline_at__lte=now, then=Value(DeadlineState.OVERDUE)),
            When(warn_from__lte=now, then=Value(DeadlineState.DUE_SOON)),
            default=Value(DeadlineState.ON_TIME),
            output_field=CharField(),
        ),
    )


def case_queue(*, user, deadline: str = "", now=None, include_closed: bool = False):
    """Open cases in the user's scope, nearest deadline first, each annotated with ``deadline_at`` and
    ``deadline_state``: overdue past the deadline, due soon past ``LINGONG_CASE_ESCALATE_SHARE`` of the
    time allowed."""
    now = now or timezone.now()
    qs = Case.objects.visible_to(user)
    if not include_closed:
        qs = qs.open()
    qs = _with_deadline(qs.select_related("scope_unit", "respondent"), now)
    if deadline in DeadlineState.values:
        qs = qs.filter(deadline_q(deadline, now))
    return qs.order_by(F("deadline_at").asc(nulls_last=True), "id")


def staff_queue(*, user, deadline: str = "", now=None):
    """The staff queue (``/api/v1/case-queue/``): the open cases of the user's staff scope (their county's,
    or the city's), nearest deadline first, each with its nearest running clock's ``deadline_at``,
    ``deadline_started`` and ``deadline_kind`` (the state is worked out from them in Python:
    ``deadline_state``) and its claim lines' count and total. Only the scope: a county clerk's own complaints
    are not part of their work queue (and the scope alone keeps the county index usable). Nothing for a user
    without a staff scope."""
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
        deadline_at=_nearest_clock("current"),
        deadline_started=_nearest_clock("started_at"),
        deadline_kind=_nearest_clock("kind"),
        claims_count=Subquery(claims.annotate(n=Count("pk")).values("n")),
        claims_amount=Subquery(claims.annotate(total=Sum("amount")).values("total")),
    )
    if deadline in DeadlineState.values:
        qs = qs.filter(deadline_q(deadline, now))
    return qs.order_by(F("deadline_at").asc(nulls_last=True), "id")


def deadline_state(due_at, started_at, now) -> str:
    """The state of a clock due at ``due_at`` that started at ``started_at`` (None: no running clock)."""
    if due_at is None:
        return DeadlineState.ON_TIME
    if now >= due_at:
        return DeadlineState.OVERDUE
    if now >= started_at + (due_at - started_at) * settings.LINGONG_CASE_ESCALATE_SHARE:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def deadline_state_of(case: Case, now=None) -> str:
    """The same state for one case, in Python (pages)."""
    from .services import warn_at

    now = now or timezone.now()
    clocks = [c for c in case.clocks.all() if c.stopped_at is None]
    if not clocks:
        return DeadlineState.ON_TIME
    clock = min(clocks, key=lambda c: (c.current_due_at, c.pk))
    if now >= clock.current_due_at:
        return DeadlineState.OVERDUE
    if now >= warn_at(clock):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
