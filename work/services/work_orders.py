"""Work orders: the services that move a work order along WORK_ORDER_TRANSITIONS (confirm, cancel, no-show,
check-in/out, record end, correct hours, approve, auto-approve). Every transition goes through
``work_order_move`` (``WORK_ORDER_WORKFLOW``: lock, table, event row, audit row, in the caller's transaction),
which also keeps the worker's stored record. ``grep -rn "def work_order_" work/`` lists the workflow."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.geo import haversine_km
from core.wages import CENT
from jobs.choices import WageUnit
from jobs.models import Posting
from jobs.notifications import notify

from ..calculators import (
    MAX_HOURS,
    SHANGHAI,
    compute_amount,
    format_distance,
    hours_between,
    notice_hours,
    planned_times,
)
from ..choices import CancelledBy, CheckMethod, WorkOrderStatus
from ..models import WORK_ORDER_WORKFLOW, HoursCorrection, WorkOrder
from ..permissions import is_order_employer, is_order_worker, require_party
from ..selectors import LIVE, effective_status
from .records import OUTCOME_STATUSES, refresh_worker_records

CHECKIN_EARLY = dt.timedelta(hours=2)  # check-in opens two hours before the planned start
SHORT_SHIFT = dt.timedelta(minutes=30)  # a check-out this soon after check-in must be confirmed
UNCONFIRMED_FLAG_HOURS = 12  # still unconfirmed this close to the start: the employer is told


def work_order_move(
    order: WorkOrder,
    to_status: str,
    actor,
    *,
    reason: str = "",
    on_behalf_of=None,
    fields: tuple[str, ...] = (),
    request=None,
) -> WorkOrder:
    """Move a (locked) work order to ``to_status``; ``fields`` are further fields the caller set on it."""
    from_status = order.status
    WORK_ORDER_WORKFLOW.move(
        order,
        to_status,
        actor=actor,
        reason=reason,
        on_behalf_of=on_behalf_of,
        fields=fields,
        request=request,
    )
    if {from_status, to_status} & OUTCOME_STATUSES:
        refresh_worker_records([order.worker_id])  # the reliability matching reads
    return order


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _locked(order: WorkOrder) -> WorkOrder:
    """The work order row, locked for the rest of the transaction (its posting read without a lock)."""
    locked = WORK_ORDER_WORKFLOW.lock(order)
    locked.posting = Posting.objects.select_related("employer", "scope_unit").get(pk=locked.posting_id)
    return locked


# --- creation and cancellation with the application -------------------------------------------------------


def work_order_create_for_hire(
    application, *, actor=None, now: dt.datetime | None = None, request=None
) -> list[WorkOrder]:
    """An accepted application becomes one work order per remaining work date of its posting (the
    ``jobs.hooks.HIRED`` hook, inside application_accept's transaction). Safe to call twice."""
    now = _now(now)
    posting = Posting.objects.get(pk=application.posting_id)
    orders = []
    for day in posting.work_dates:
        starts, ends = planned_times(posting, day)
        if ends <= now:
            continue
        order, created = WorkOrder.objects.get_or_create(
            application=application,
            work_date=day,
            defaults={
                "posting": posting,
                "worker_id": application.worker_id,
                "starts_at": starts,
                "ends_at": ends,
            },
        )
        if created:
            WORK_ORDER_WORKFLOW.record(order, to_status=WorkOrderStatus.SCHEDULED, actor=actor)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=order,
                after={"work_date": str(day), "worker": application.worker_id},
            )
        orders.append(order)
    return orders


def work_order_cancel_for_withdrawal(
    application, *, actor, reason: str = "", now: dt.datetime | None = None, request=None
) -> int:
    """A withdrawn application (the ``jobs.hooks.HIRE_WITHDRAWN`` hook): its future scheduled or confirmed
    orders are cancelled by the worker, with how many hours before the start."""
    now = _now(now)
    count = 0
    ids = WorkOrder.objects.filter(application=application, status__in=LIVE, starts_at__gt=now).values_list(
        "pk", flat=True
    )
    for order in WorkOrder.objects.select_for_update().filter(pk__in=list(ids)):
        WORK_ORDER_WORKFLOW.mark_locked(order)
        _cancel(
            order,
            actor,
            CancelledBy.WORKER,
            reason or _("劳动者撤回报名"),
            now,
            request,
            on_behalf_of=application.worker if getattr(actor, "pk", None) != application.worker_id else None,
        )
        count += 1
    return count


def _cancel(order, actor, by, reason, now, request, on_behalf_of=None) -> WorkOrder:
    order.cancel_notice_hours = notice_hours(order.starts_at, now)
    order.cancelled_by, order.cancel_reason = by, reason[:300]
    return work_order_move(
        order,
        WorkOrderStatus.CANCELLED,
        actor,
        reason=reason,
        on_behalf_of=on_behalf_of,
        fields=("cancel_notice_hours", "cancelled_by", "cancel_reason"),
        request=request,
    )


# --- before the work --------------------------------------------------------------------------------------


@transaction.atomic
def work_order_confirm(*, order: WorkOrder, actor, now: dt.datetime | None = None, request=None) -> WorkOrder:
    """The worker (or counter staff for them) confirms they will come, any time before the start."""
    now = _now(now)
    order = _locked(order)
    require_party(order, actor, worker=True, counter=True)
    if order.status == WorkOrderStatus.SCHEDULED and order.starts_at <= now:
        raise DomainError(_("已过开工时间，不能再确认。"), code="work_started")
    order.confirmed_at = now
    work_order_move(
        order,
        WorkOrderStatus.CONFIRMED,
        actor,
        fields=("confirmed_at",),
        request=request,
        on_behalf_of=order.worker if not is_order_worker(order, actor) else None,
    )
    return order


@transaction.atomic
def work_order_cancel(
    *, order: WorkOrder, actor, reason: str = "", now: dt.datetime | None = None, request=None
) -> WorkOrder:
    """Cancel a scheduled or confirmed order: the worker, the employer or staff in scope; who cancelled and
    how many hours before the start (negative: after it) are recorded."""
    now = _now(now)
    order = _locked(order)
    require_party(order, actor, worker=True, employer=True, staff=True)
    if is_order_worker(order, actor):
        by = CancelledBy.WORKER
    elif is_order_employer(order, actor):
        by = CancelledBy.EMPLOYER
    else:
        by = CancelledBy.STAFF
    _cancel(order, actor, by, reason.strip(), now, request)
    posting = order.posting
    body = _("“%(t)s”%(d)s的用工已取消。") % {"t": posting.title, "d": order.work_date}
    if by != CancelledBy.WORKER:
        notify(order.worker_id, body, f"/work/{order.pk}/")
    if by != CancelledBy.EMPLOYER:
        notify(posting.employer.user_id, body)
    return order


@transaction.atomic
def work_order_mark_no_show(
    *, order: WorkOrder, actor, reason: str = "", now: dt.datetime | None = None, request=None
) -> WorkOrder:
    """The employer (or staff) records that the worker did not come — only after the planned start."""
    now = _now(now)
    order = _locked(order)
    require_party(order, actor, employer=True, staff=True)
    if now < order.starts_at:
        raise DomainError(_("还没到开工时间，不能记为未到岗。"), code="not_started")
    work_order_move(order, WorkOrderStatus.NO_SHOW, actor, reason=reason, request=request)
    notify(
        order.worker_id,
        _("“%(t)s”%(d)s被记为未到岗；如有异议请联系用工方或工作人员。")
        % {"t": order.posting.title, "d": order.work_date},
        f"/work/{order.pk}/",
    )
    return order


def work_order_remind_due(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Periodic scan: remind workers of tomorrow's unconfirmed orders (once: reminded_at), and tell each
    employer once per posting and date about orders still unconfirmed close to the start.
    Returns (reminded, flagged)."""
    now = _now(now)
    tomorrow = timezone.localtime(now, SHANGHAI).date() + dt.timedelta(days=1)
    reminded = 0
    ids = list(
        WorkOrder.objects.filter(
            status=WorkOrderStatus.SCHEDULED, work_date=tomorrow, reminded_at__isnull=True
        ).values_list("pk", flat=True)[:5000]
    )
    for pk in ids:
        with transaction.atomic():
            order = WORK_ORDER_WORKFLOW.lock(pk, select_related=("posting",))
            if order.status != WorkOrderStatus.SCHEDULED or order.reminded_at is not None:
                continue
            order.reminded_at = now
            order.save(update_fields=["reminded_at", "updated_at"])
            notify(
                order.worker_id,
                _("明天%(time)s有活：“%(t)s”，%(addr)s。请在工作单页面确认到岗。")
                % {
                    "time": timezone.localtime(order.starts_at, SHANGHAI).strftime("%H:%M"),
                    "t": order.posting.title,
                    "addr": order.posting.address,
                },
                f"/work/{order.pk}/",
            )
            reminded += 1
    flagged = 0
    late = (
        WorkOrder.objects.filter(
            status=WorkOrderStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(hours=UNCONFIRMED_FLAG_HOURS),
        )
        .values("posting_id", "posting__title", "posting__employer__user_id", "work_date")
        .annotate(n=Count("id"))
    )
    for row in late:
        key = f"jobs:unconfirmed:{row['posting_id']}:{row['work_date']}"
        if not cache.add(key, 1, timeout=3 * 24 * 3600):
            continue
        with transaction.atomic():
            notify(
                row["posting__employer__user_id"],
                _("“%(t)s”%(d)s还有%(n)s人未确认到岗，请联系或另行安排。")
                % {"t": row["posting__title"], "d": row["work_date"], "n": row["n"]},
                "/work/employer/",
            )
        flagged += 1
    return reminded, flagged


# --- check-in and check-out -------------------------------------------------------------------------------


def _check_identity(order: WorkOrder, actor, method: str, lat, lng, qr_token) -> int | None:
    """Who may check in or out by which method; for GPS the distance in metres (refused outside the radius)."""
    if method == CheckMethod.GPS:
        require_party(order, actor, worker=True)
        if lat is None or lng is None:
            message = _("没有取得手机定位，请允许定位或扫码签到。")
            raise DomainError(message, code="location_required", fields={"lat": [message]})
        metres = haversine_km(float(lat), float(lng), order.posting.lat, order.posting.lng) * 1000
        radius = settings.LINGONG_CHECKIN_RADIUS_M
        if metres > radius:
            raise DomainError(
                _("距离工作地点%(d)s，超出%(r)s签到范围")
                % {"d": format_distance(metres), "r": format_distance(radius)},
                code="too_far",
            )
        return int(round(metres))
    if method == CheckMethod.QR:
        require_party(order, actor, worker=True)
        if not qr_token or not secrets.compare_digest(str(qr_token).encode(), order.qr_token.encode()):
            message = _("签到码不正确，请扫描用工方出示的本单签到码。")
            raise DomainError(message, code="bad_qr_token", fields={"qr_token": [message]})
        return None
    if method == CheckMethod.COUNTER:
        require_party(order, actor, counter=True)
        return None
    raise DomainError(
        _("不支持的签到方式。"), code="bad_method", fields={"method": [_("不支持的签到方式。")]}
    )


@transaction.atomic
def work_order_check_in(
    *,
    order: WorkOrder,
    actor,
    method: str,
    lat=None,
    lng=None,
    qr_token=None,
    now: dt.datetime | None = None,
    request=None,
) -> WorkOrder:
    """Check in: by the worker's location (within LINGONG_CHECKIN_RADIUS_M of the site, distance recorded),
    by the order's QR code shown by the employer, or by staff / market counter staff for the worker. An
    unconfirmed order is confirmed by checking in."""
    now = _now(now)
    order = _locked(order)
    distance = _check_identity(order, actor, method, lat, lng, qr_token)
    if order.status not in LIVE:
        WORK_ORDER_WORKFLOW.check(order.status, WorkOrderStatus.CHECKED_IN)
    if now < order.starts_at - CHECKIN_EARLY:
        raise DomainError(_("开工前2小时内才能签到。"), code="too_early")
    if now > order.ends_at:
        raise DomainError(_("已过计划结束时间，不能签到；请联系用工方。"), code="too_late")
    assisted = method == CheckMethod.COUNTER and not is_order_worker(order, actor)
    on_behalf_of = order.worker if assisted else None
    if order.status == WorkOrderStatus.SCHEDULED:
        order.confirmed_at = now
        work_order_move(
            order,
            WorkOrderStatus.CONFIRMED,
            actor,
            reason=_("签到即确认"),
            fields=("confirmed_at",),
            on_behalf_of=on_behalf_of,
            request=request,
        )
    order.checked_in_at, order.check_in_method = now, method
    order.check_in_distance_m = distance
    if method == CheckMethod.GPS:
        order.check_in_lat, order.check_in_lng = float(lat), float(lng)
    fields = ["checked_in_at", "check_in_method", "check_in_distance_m", "check_in_lat", "check_in_lng"]
    if assisted:
        order.acted_by = actor
        fields.append("acted_by")
    return work_order_move(
        order,
        WorkOrderStatus.CHECKED_IN,
        actor,
        fields=tuple(fields),
        on_behalf_of=on_behalf_of,
        request=request,
    )


def _finish(order: WorkOrder, ended_at: dt.datetime, now: dt.datetime) -> list[str]:
    order.checked_out_at = ended_at
    order.hours_worked = hours_between(order.checked_in_at, ended_at)
    order.approval_deadline = max(ended_at, now) + dt.timedelta(
        hours=settings.LINGONG_APPROVAL_DEADLINE_HOURS
    )
    return ["checked_out_at", "check_out_method", "hours_worked", "approval_deadline"]


@transaction.atomic
def work_order_check_out(
    *,
    order: WorkOrder,
    actor,
    method: str,
    lat=None,
    lng=None,
    qr_token=None,
    pieces: Decimal | None = None,
    confirm_short: bool = False,
    now: dt.datetime | None = None,
    request=None,
) -> WorkOrder:
    """Check out by the same means as check-in; hours worked come from the two times (2 places, at most
    24) and the employer's approval deadline starts (LINGONG_APPROVAL_DEADLINE_HOURS). Piece work: the
    worker may report the count, which the employer can correct. Never before the planned start (no work
    can have been done); within ``SHORT_SHIFT`` of the check-in only when ``confirm_short`` says the worker
    really means it (a tap on the wrong button would otherwise record 0 hours)."""
    now = _now(now)
    order = _locked(order)
    _check_identity(order, actor, method, lat, lng, qr_token)
    WORK_ORDER_WORKFLOW.check(order.status, WorkOrderStatus.CHECKED_OUT)
    if now < order.starts_at:
        message = _("还没到开工时间（%(t)s），不能签退。") % {
            "t": timezone.localtime(order.starts_at, SHANGHAI).strftime("%H:%M")
        }
        raise DomainError(message, code="before_start")
    if now - order.checked_in_at < SHORT_SHIFT and not confirm_short:
        minutes = int((now - order.checked_in_at).total_seconds() // 60)
        message = _("您签到才%(m)s分钟，现在签退工时将按%(h)s小时计算。确定要签退吗？") % {
            "m": minutes,
            "h": hours_between(order.checked_in_at, now),
        }
        raise DomainError(message, code="short_shift", fields={"confirm_short": [message]})
    order.check_out_method = method
    fields = _finish(order, now, now)
    if pieces is not None:
        order.pieces = pieces
        fields.append("pieces")
    assisted = method == CheckMethod.COUNTER and not is_order_worker(order, actor)
    if assisted:
        order.acted_by = actor
        fields.append("acted_by")
    work_order_move(
        order,
        WorkOrderStatus.CHECKED_OUT,
        actor,
        fields=tuple(fields),
        on_behalf_of=order.worker if assisted else None,
        request=request,
    )
    notify(
        order.posting.employer.user_id,
        _("“%(t)s”%(d)s已签退，工时%(h)s小时，请在%(h2)s小时内确认。")
        % {
            "t": order.posting.title,
            "d": order.work_date,
            "h": order.hours_worked,
            "h2": settings.LINGONG_APPROVAL_DEADLINE_HOURS,
        },
        "/work/employer/",
    )
    return order


@transaction.atomic
def work_order_record_end(
    *,
    order: WorkOrder,
    actor,
    ended_at: dt.datetime,
    reason: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> WorkOrder:
    """A worker who never checked out: the employer (or staff) records the end time; the worker is told and
    sees it on their work order page."""
    now = _now(now)
    order = _locked(order)
    require_party(order, actor, employer=True, staff=True)
    WORK_ORDER_WORKFLOW.check(order.status, WorkOrderStatus.CHECKED_OUT)
    if ended_at <= order.checked_in_at or ended_at > now:
        message = _("结束时间须晚于签到时间，且不晚于现在。")
        raise DomainError(message, code="bad_end_time", fields={"ended_at": [message]})
    order.check_out_method = CheckMethod.EMPLOYER
    fields = _finish(order, ended_at, now)
    reason = reason.strip() or _("劳动者未签退，由用工方记录结束时间")
    work_order_move(
        order, WorkOrderStatus.CHECKED_OUT, actor, reason=reason, fields=tuple(fields), request=request
    )
    notify(
        order.worker_id,
        _("您“%(t)s”%(d)s未签退，用工方记录的结束时间为%(e)s，工时%(h)s小时。")
        % {
            "t": order.posting.title,
            "d": order.work_date,
            "e": timezone.localtime(ended_at, SHANGHAI).strftime("%H:%M"),
            "h": order.hours_worked,
        },
        f"/work/{order.pk}/",
    )
    return order


@transaction.atomic
def work_order_correct_hours(
    *,
    order: WorkOrder,
    actor,
    reason: str,
    hours: Decimal | None = None,
    pieces: Decimal | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> HoursCorrection:
    """The employer (or staff) corrects hours or pieces before approval, with a reason; each correction is a
    row the worker sees."""
    order = _locked(order)
    require_party(order, actor, employer=True, staff=True)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请填写更正原因。"), fields={"reason": [_("请填写更正原因。")]})
    if hours is None and pieces is None:
        raise DomainError(
            _("请填写更正后的工时或件数。"), fields={"hours": [_("请填写更正后的工时或件数。")]}
        )
    if hours is not None and not (Decimal(0) <= hours <= MAX_HOURS):
        raise DomainError(_("工时须在0到24小时之间。"), fields={"hours": [_("工时须在0到24小时之间。")]})
    if pieces is not None and pieces < 0:
        raise DomainError(_("件数不能为负。"), fields={"pieces": [_("件数不能为负。")]})
    if effective_status(order, now) != WorkOrderStatus.CHECKED_OUT:
        raise InvalidTransition(_("只能在签退后、确认前更正工时。"))
    correction = HoursCorrection.objects.create(
        work_order=order,
        hours_before=order.hours_worked,
        hours_after=hours.quantize(CENT, rounding=ROUND_HALF_UP) if hours is not None else order.hours_worked,
        pieces_before=order.pieces,
        pieces_after=pieces if pieces is not None else order.pieces,
        reason=reason[:300],
        by=actor,
    )
    before = {"hours_worked": str(order.hours_worked), "pieces": str(order.pieces)}
    order.hours_worked, order.pieces = correction.hours_after, correction.pieces_after
    order.save(update_fields=["hours_worked", "pieces", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=order,
        before=before,
        after={"hours_worked": str(order.hours_worked), "pieces": str(order.pieces)},
        reason=reason,
        request=request,
    )
    notify(
        order.worker_id,
        _("“%(t)s”%(d)s的工时已被更正：%(r)s")
        % {"t": order.posting.title, "d": order.work_date, "r": reason},
        f"/work/{order.pk}/",
    )
    return correction


# --- approval ---------------------------------------------------------------------------------------------


def _approve(order: WorkOrder, actor, at: dt.datetime, *, auto: bool, request=None) -> WorkOrder:
    order.amount, order.daily_wage = compute_amount(order)
    order.approved_at, order.approved_by, order.auto_approved = (
        at,
        actor if getattr(actor, "pk", None) else None,
        auto,
    )
    order.settle_deadline = at + dt.timedelta(days=settings.LINGONG_SETTLEMENT_DEADLINE_DAYS)
    reason = _("超过确认期限，自动确认") if auto else ""
    work_order_move(
        order,
        WorkOrderStatus.APPROVED,
        actor,
        reason=reason,
        request=request,
        fields=("amount", "daily_wage", "approved_at", "approved_by", "auto_approved", "settle_deadline"),
    )
    notify(
        order.worker_id,
        _("“%(t)s”%(d)s工时%(h)s小时已确认，应付%(a)s元。")
        % {"t": order.posting.title, "d": order.work_date, "h": order.hours_worked, "a": order.amount},
        f"/work/{order.pk}/",
    )
    return order


@transaction.atomic
def work_order_approve(
    *, order: WorkOrder, actor, pieces: Decimal | None = None, now: dt.datetime | None = None, request=None
) -> WorkOrder:
    """The employer (or staff) approves the hours and the amount computed from the wage unit; the
    settlement deadline starts. Piece work needs the count (given here, or recorded before)."""
    now = _now(now)
    order = _locked(order)
    require_party(order, actor, employer=True, staff=True)
    if (
        effective_status(order, now) == WorkOrderStatus.APPROVED
        and order.status == WorkOrderStatus.CHECKED_OUT
    ):
        # approved by its deadline already: store it as the scan would
        return _approve(order, None, order.approval_deadline, auto=True, request=request)
    WORK_ORDER_WORKFLOW.check(order.status, WorkOrderStatus.APPROVED)
    if pieces is not None and pieces != order.pieces:
        if pieces < 0:
            raise DomainError(_("件数不能为负。"), fields={"pieces": [_("件数不能为负。")]})
        HoursCorrection.objects.create(
            work_order=order,
            hours_before=order.hours_worked,
            hours_after=order.hours_worked,
            pieces_before=order.pieces,
            pieces_after=pieces,
            reason=_("确认时填写件数"),
            by=actor,
        )
        order.pieces = pieces
        order.save(update_fields=["pieces", "updated_at"])
    if order.posting.wage_unit == WageUnit.PIECE and order.pieces is None:
        raise DomainError(
            _("计件工资须填写完成件数。"),
            code="pieces_required",
            fields={"pieces": [_("计件工资须填写完成件数。")]},
        )
    return _approve(order, actor, now, auto=False, request=request)


def work_order_approve_if_due(order: WorkOrder, *, now: dt.datetime | None = None) -> WorkOrder:
    """For a locked order: store the automatic approval that reads already show once the deadline has
    passed, so that payment and rating need not wait for the periodic scan."""
    now = _now(now)
    if (
        order.status == WorkOrderStatus.CHECKED_OUT
        and order.approval_deadline
        and order.approval_deadline <= now
    ):
        _approve(order, None, order.approval_deadline, auto=True)
    return order


def work_order_auto_approve_due(*, now: dt.datetime | None = None) -> int:
    """Periodic scan: checked-out orders past their approval deadline are approved automatically, as of the
    deadline (reads have treated them as approved since then). Safe to run twice."""
    now = _now(now)
    count = 0
    ids = list(
        WorkOrder.objects.filter(status=WorkOrderStatus.CHECKED_OUT, approval_deadline__lte=now).values_list(
            "pk", flat=True
        )[:5000]
    )
    for pk in ids:
        with transaction.atomic():
            order = _locked(WorkOrder(pk=pk))
            if order.status != WorkOrderStatus.CHECKED_OUT or order.approval_deadline > now:
                continue
            _approve(order, None, order.approval_deadline, auto=True)
            count += 1
    return count
