"""Work orders at the service level (work.services): created on acceptance and cancelled on withdrawal, the
day-before reminder, check-in/out by location, QR and counter, hours and their corrections, approval by
the employer or automatically after the deadline (time travel through ``now=``), and reads that treat an
order as approved once its deadline has passed. Every test asserts the stored state and the event rows."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from accounts.choices import Role
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import InboxMessage, MinimumWageTier
from jobs import services
from jobs.choices import WageUnit
from jobs.models import Occupation
from tests.accounts.factories import UserFactory
from work import calculators, selectors
from work import services as work
from work.choices import CancelledBy, CheckMethod, WorkOrderStatus
from work.models import HoursCorrection, WorkOrder, WorkOrderEvent

from ..jobs.factories import make_employer, make_worker, published_posting

pytestmark = pytest.mark.django_db

SITE = (36.7100, 119.0240)  # the factory posting's site
NEAR = (36.7110, 119.0240)  # about 111 m north
FAR = (36.7200, 119.0240)  # about 1.1 km north
H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _jobs_seed(django_db_setup, django_db_blocker):
    """The occupations and minimum wages that migration 0002 seeds."""
    with django_db_blocker.unblock():
        if not Occupation.objects.exists() or not MinimumWageTier.objects.exists():
            importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(
                django_apps, None
            )


def hire(*, unit=None, worker=None, employer=None, **posting) -> WorkOrder:
    """A published posting, one worker applied and accepted: the first work order."""
    employer = employer or make_employer(unit=unit)
    if unit is not None:
        posting.setdefault("scope_unit", unit)
    post = published_posting(employer, **posting)
    worker = worker or make_worker(unit=unit)
    application = services.application_apply(posting=post, worker=worker, actor=worker)
    services.application_accept(application=application, actor=employer.user)
    return WorkOrder.objects.filter(application=application).order_by("work_date").first()


def checked_out(order, *, hours=Decimal("8.5"), pieces=None) -> WorkOrder:
    """Check the order in at its start (by GPS near the site) and out ``hours`` later."""
    work.work_order_check_in(
        order=order, actor=order.worker, method=CheckMethod.GPS, lat=NEAR[0], lng=NEAR[1], now=order.starts_at
    )
    work.work_order_check_out(
        order=order,
        actor=order.worker,
        method=CheckMethod.QR,
        qr_token=order.qr_token,
        pieces=pieces,
        now=order.starts_at + dt.timedelta(hours=float(hours)),
    )
    order.refresh_from_db()
    return order


def statuses(order) -> list[tuple[str, str]]:
    return list(order.events.order_by("at", "id").values_list("from_status", "to_status"))


# --- creation, withdrawal, confirmation, reminders ---------------------------------------------------------


def test_accept_creates_one_work_order_per_work_date_in_shanghai_time():
    order = hire(
        work_start_date=dt.date.today() + dt.timedelta(days=2),
        work_end_date=dt.date.today() + dt.timedelta(days=4),
        start_time=dt.time(7, 30),
        end_time=dt.time(16, 0),
    )
    orders = list(WorkOrder.objects.filter(application=order.application).order_by("work_date"))
    assert [o.work_date for o in orders] == order.posting.work_dates
    first = orders[0]
    assert first.starts_at == dt.datetime.combine(
        first.work_date, dt.time(7, 30), tzinfo=calculators.SHANGHAI
    )
    assert first.ends_at - first.starts_at == dt.timedelta(hours=8, minutes=30)
    assert all(o.status == WorkOrderStatus.SCHEDULED and o.worker_id == order.worker_id for o in orders)
    assert statuses(first) == [("", WorkOrderStatus.SCHEDULED)]
    assert len({o.qr_token for o in orders}) == 3


def test_withdraw_cancels_future_orders_by_the_worker_with_notice_hours():
    order = hire(
        work_start_date=dt.date.today() + dt.timedelta(days=2),
        work_end_date=dt.date.today() + dt.timedelta(days=3),
    )
    services.application_withdraw(application=order.application, actor=order.worker, reason="家里有事")
    orders = WorkOrder.objects.filter(application=order.application)
    assert {o.status for o in orders} == {WorkOrderStatus.CANCELLED}
    for o in orders:
        assert o.cancelled_by == CancelledBy.WORKER
        assert o.cancel_notice_hours > 24
        assert statuses(o)[-1] == (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CANCELLED)


def test_confirm_then_cancel_by_employer_records_who_and_how_late():
    order = hire()
    work.work_order_confirm(order=order, actor=order.worker, now=order.starts_at - 20 * H)
    work.work_order_cancel(
        order=order, actor=order.posting.employer.user, reason="下雨停工", now=order.starts_at - 3 * H
    )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED
    assert order.cancelled_by == CancelledBy.EMPLOYER
    assert order.cancel_notice_hours == Decimal("3.0")
    assert order.confirmed_at == order.starts_at - 20 * H
    assert statuses(order)[1:] == [
        (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED),
        (WorkOrderStatus.CONFIRMED, WorkOrderStatus.CANCELLED),
    ]


def test_reminder_the_day_before_once_and_unconfirmed_flagged_to_employer_once(
    django_capture_on_commit_callbacks,
):
    order = hire()
    evening = order.starts_at - 14 * H  # the day before, 18:00
    with django_capture_on_commit_callbacks(execute=True):
        assert work.work_order_remind_due(now=evening) == (1, 0)
        assert work.work_order_remind_due(now=evening + H) == (0, 0)
    order.refresh_from_db()
    assert order.reminded_at == evening
    assert InboxMessage.objects.filter(user=order.worker, body__contains="明天").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert work.work_order_remind_due(now=order.starts_at - 6 * H) == (0, 1)
        assert work.work_order_remind_due(now=order.starts_at - 5 * H) == (0, 0)
    employer = order.posting.employer.user
    assert InboxMessage.objects.filter(user=employer, body__contains="未确认到岗").count() == 1
    assert list(selectors.work_orders_unconfirmed(employer_user=employer, now=order.starts_at - 6 * H)) == [
        order
    ]


def test_no_show_only_after_the_start_and_only_by_employer_or_staff():
    order = hire()
    employer = order.posting.employer.user
    with pytest.raises(DomainError) as exc:
        work.work_order_mark_no_show(order=order, actor=employer, now=order.starts_at - H)
    assert exc.value.code == "not_started"
    with pytest.raises(NotPermitted):
        work.work_order_mark_no_show(order=order, actor=order.worker, now=order.starts_at + H)
    work.work_order_mark_no_show(order=order, actor=employer, now=order.starts_at + H)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.NO_SHOW
    assert statuses(order)[-1] == (WorkOrderStatus.SCHEDULED, WorkOrderStatus.NO_SHOW)


# --- check-in and check-out -------------------------------------------------------------------------------


def test_gps_check_in_outside_radius_is_refused_with_the_distance_and_nothing_stored():
    order = hire()
    with pytest.raises(DomainError) as exc:
        work.work_order_check_in(
            order=order,
            actor=order.worker,
            method=CheckMethod.GPS,
            lat=FAR[0],
            lng=FAR[1],
            now=order.starts_at,
        )
    assert exc.value.code == "too_far"
    assert str(exc.value.message) == "距离工作地点1.1公里，超出500米签到范围"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.SCHEDULED
    assert order.checked_in_at is None and order.check_in_distance_m is None and order.check_in_lat is None
    assert statuses(order) == [("", WorkOrderStatus.SCHEDULED)]


def test_gps_check_in_inside_radius_records_the_distance_and_confirms():
    order = hire()
    work.work_order_check_in(
        order=order,
        actor=order.worker,
        method=CheckMethod.GPS,
        lat=NEAR[0],
        lng=NEAR[1],
        now=order.starts_at - 10 * dt.timedelta(minutes=1),
    )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_IN
    assert order.check_in_method == CheckMethod.GPS
    assert 105 <= order.check_in_distance_m <= 115
    assert (order.check_in_lat, order.check_in_lng) == NEAR
    assert order.acted_by is None
    assert statuses(order)[1:] == [
        (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED),
        (WorkOrderStatus.CONFIRMED, WorkOrderStatus.CHECKED_IN),
    ]


def test_check_in_window_and_missing_location():
    order = hire()
    with pytest.raises(DomainError) as exc:
        work.work_order_check_in(
            order=order, actor=order.worker, method=CheckMethod.GPS, lat=None, lng=None, now=order.starts_at
        )
    assert exc.value.code == "location_required"
    with pytest.raises(DomainError) as exc:
        work.work_order_check_in(
            order=order,
            actor=order.worker,
            method=CheckMethod.QR,
            qr_token=order.qr_token,
            now=order.starts_at - 3 * H,
        )
    assert exc.value.code == "too_early"
    assert WorkOrder.objects.get(pk=order.pk).status == WorkOrderStatus.SCHEDULED


def test_qr_check_in_needs_the_orders_token():
    order = hire()
    other = hire()
    with pytest.raises(DomainError) as exc:
        work.work_order_check_in(
            order=order,
            actor=order.worker,
            method=CheckMethod.QR,
            qr_token=other.qr_token,
            now=order.starts_at,
        )
    assert exc.value.code == "bad_qr_token"
    work.work_order_check_in(
        order=order, actor=order.worker, method=CheckMethod.QR, qr_token=order.qr_token, now=order.starts_at
    )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_IN and order.check_in_method == CheckMethod.QR
    assert order.check_in_distance_m is None


def test_counter_check_in_records_who_acted_for_the_worker(county_a):
    order = hire()
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    work.work_order_check_in(order=order, actor=officer, method=CheckMethod.COUNTER, now=order.starts_at)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_IN
    assert order.check_in_method == CheckMethod.COUNTER and order.acted_by == officer
    event = order.events.get(to_status=WorkOrderStatus.CHECKED_IN)
    assert event.actor == officer and event.on_behalf_of == order.worker


def test_counter_check_in_refused_to_an_outsider_and_gps_refused_to_the_employer(county_b):
    order = hire()
    with pytest.raises(NotFound):
        work.work_order_check_in(
            order=order,
            actor=UserFactory(scope_unit=county_b, roles=[Role.COUNTY_STAFF]),
            method=CheckMethod.COUNTER,
            now=order.starts_at,
        )
    with pytest.raises(NotPermitted):
        work.work_order_check_in(
            order=order,
            actor=order.posting.employer.user,
            method=CheckMethod.GPS,
            lat=SITE[0],
            lng=SITE[1],
            now=order.starts_at,
        )


def test_hours_come_from_check_in_and_out_and_start_the_approval_deadline():
    order = checked_out(hire(), hours=Decimal("8.25"))
    assert order.status == WorkOrderStatus.CHECKED_OUT
    assert order.hours_worked == Decimal("8.25")
    assert order.checked_out_at == order.starts_at + dt.timedelta(hours=8.25)
    assert order.approval_deadline == order.checked_out_at + dt.timedelta(hours=48)
    assert order.check_out_method == CheckMethod.QR


def test_hours_are_capped_at_24_and_rounded_to_cents():
    start = dt.datetime(2026, 3, 1, 8, tzinfo=calculators.SHANGHAI)
    assert calculators.hours_between(start, start + dt.timedelta(hours=30)) == Decimal("24.00")
    assert calculators.hours_between(start, start + dt.timedelta(minutes=20)) == Decimal("0.33")
    assert calculators.hours_between(start, start - H) == Decimal("0.00")


def test_employer_records_the_end_when_the_worker_never_checked_out(django_capture_on_commit_callbacks):
    order = hire()
    work.work_order_check_in(
        order=order, actor=order.worker, method=CheckMethod.QR, qr_token=order.qr_token, now=order.starts_at
    )
    employer = order.posting.employer.user
    with pytest.raises(DomainError):
        work.work_order_record_end(
            order=order, actor=employer, ended_at=order.starts_at - H, now=order.starts_at + 20 * H
        )
    with django_capture_on_commit_callbacks(execute=True):
        work.work_order_record_end(
            order=order, actor=employer, ended_at=order.starts_at + 9 * H, now=order.starts_at + 20 * H
        )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_OUT
    assert order.check_out_method == CheckMethod.EMPLOYER
    assert order.hours_worked == Decimal("9.00")
    assert order.approval_deadline == order.starts_at + 68 * H
    assert InboxMessage.objects.filter(user=order.worker, body__contains="未签退").exists()


def test_corrections_are_kept_and_each_one_is_visible_to_the_worker():
    order = checked_out(hire())
    employer = order.posting.employer.user
    with pytest.raises(DomainError):
        work.work_order_correct_hours(order=order, actor=employer, hours=Decimal("8"), reason="")
    with pytest.raises(NotPermitted):
        work.work_order_correct_hours(order=order, actor=order.worker, hours=Decimal("10"), reason="多干了")
    work.work_order_correct_hours(order=order, actor=employer, hours=Decimal("8"), reason="午休半小时不计")
    work.work_order_correct_hours(order=order, actor=employer, hours=Decimal("7.5"), reason="提前半小时离开")
    order.refresh_from_db()
    assert order.hours_worked == Decimal("7.50")
    rows = list(
        HoursCorrection.objects.filter(work_order=order)
        .order_by("at", "id")
        .values_list("hours_before", "hours_after", "reason", "by")
    )
    assert rows == [
        (Decimal("8.50"), Decimal("8.00"), "午休半小时不计", employer.pk),
        (Decimal("8.00"), Decimal("7.50"), "提前半小时离开", employer.pk),
    ]
    # the worker reads them through the scoped list
    mine = selectors.work_order_list(user=order.worker).get(pk=order.pk)
    assert mine.corrections.count() == 2


# --- approval ---------------------------------------------------------------------------------------------

UNITS = [
    # unit, rate, extra posting fields, pieces, expected amount, expected daily wage (hours 8.5)
    (WageUnit.HOUR, "25", {}, None, "212.50", "200.00"),
    (WageUnit.DAY, "220", {}, None, "220.00", "220.00"),
    (WageUnit.PIECE, "0.515", {"estimated_daily_wage": Decimal("200")}, Decimal("400"), "206.00", "193.88"),
    (WageUnit.JOB, "900", {"estimated_daily_wage": Decimal("300")}, None, "900.00", "847.06"),
]


@pytest.mark.parametrize(
    ("unit", "rate", "extra", "pieces", "amount", "daily"), UNITS, ids=[u[0] for u in UNITS]
)
def test_auto_approval_after_the_deadline_with_the_amount_of_each_wage_unit(
    unit, rate, extra, pieces, amount, daily, django_capture_on_commit_callbacks
):
    order = checked_out(hire(wage_unit=unit, wage_amount=Decimal(rate), **extra), pieces=pieces)
    deadline = order.approval_deadline
    assert work.work_order_auto_approve_due(now=deadline - dt.timedelta(minutes=1)) == 0
    assert WorkOrder.objects.get(pk=order.pk).status == WorkOrderStatus.CHECKED_OUT
    with django_capture_on_commit_callbacks(execute=True):
        assert work.work_order_auto_approve_due(now=deadline + dt.timedelta(minutes=5)) == 1
    assert work.work_order_auto_approve_due(now=deadline + dt.timedelta(minutes=20)) == 0  # safe twice
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED
    assert order.auto_approved is True and order.approved_by is None
    assert order.approved_at == deadline
    assert order.amount == Decimal(amount)
    assert order.daily_wage == Decimal(daily)
    assert order.settle_deadline == deadline + dt.timedelta(days=7)
    event = order.events.get(to_status=WorkOrderStatus.APPROVED)
    assert event.from_status == WorkOrderStatus.CHECKED_OUT and event.actor is None and "自动" in event.reason
    assert InboxMessage.objects.filter(user=order.worker, body__contains=amount).exists()


def test_job_amount_is_shared_over_the_work_dates_and_adds_up():
    start = dt.date.today() + dt.timedelta(days=1)
    order = hire(
        wage_unit=WageUnit.JOB,
        wage_amount=Decimal("1000"),
        estimated_daily_wage=Decimal("300"),
        work_start_date=start,
        work_end_date=start + dt.timedelta(days=2),
    )
    amounts = []
    for o in WorkOrder.objects.filter(application=order.application).order_by("work_date"):
        o.hours_worked = Decimal("8")
        amounts.append(calculators.compute_amount(o)[0])
    assert amounts == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]


def test_employer_approves_with_the_piece_count_recorded_as_a_correction():
    order = checked_out(
        hire(wage_unit=WageUnit.PIECE, wage_amount=Decimal("0.5"), estimated_daily_wage=Decimal("200"))
    )
    employer = order.posting.employer.user
    now = order.checked_out_at + H
    with pytest.raises(DomainError) as exc:
        work.work_order_approve(order=order, actor=employer, now=now)
    assert exc.value.code == "pieces_required"
    work.work_order_approve(order=order, actor=employer, pieces=Decimal("420"), now=now)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED and order.auto_approved is False
    assert order.approved_by == employer and order.approved_at == now
    assert order.amount == Decimal("210.00")
    assert order.settle_deadline == now + dt.timedelta(days=7)
    assert order.corrections.get().pieces_after == Decimal("420")


def test_reads_treat_an_order_as_approved_once_its_deadline_has_passed_before_the_scan():
    order = checked_out(hire(wage_unit=WageUnit.HOUR, wage_amount=Decimal("25")))
    later = order.approval_deadline + dt.timedelta(seconds=1)
    assert (
        selectors.effective_status(order, now=order.approval_deadline - dt.timedelta(seconds=1))
        == WorkOrderStatus.CHECKED_OUT
    )
    assert selectors.effective_status(order, now=later) == WorkOrderStatus.APPROVED
    assert selectors.effective_amount(order, now=later) == Decimal("212.50")
    annotated = selectors.work_order_list(user=order.worker, now=later).get(pk=order.pk)
    assert annotated.effective_status == WorkOrderStatus.APPROVED
    assert annotated.status == WorkOrderStatus.CHECKED_OUT  # the scan has not run
    # the employer can no longer correct hours once it counts as approved
    with pytest.raises(InvalidTransition):
        work.work_order_correct_hours(
            order=order, actor=order.posting.employer.user, hours=Decimal("1"), reason="改少", now=later
        )


# --- illegal transitions ----------------------------------------------------------------------------------


def _snapshot(order):
    order = WorkOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.checked_in_at,
        order.checked_out_at,
        order.hours_worked,
        order.amount,
        order.approved_at,
        order.cancelled_by,
        WorkOrderEvent.objects.filter(work_order=order).count(),
    )


def test_illegal_transitions_raise_and_change_nothing():
    order = hire()
    employer = order.posting.employer.user
    before = _snapshot(order)
    with pytest.raises(InvalidTransition):
        work.work_order_check_out(
            order=order,
            actor=order.worker,
            method=CheckMethod.QR,
            qr_token=order.qr_token,
            now=order.starts_at,
        )
    with pytest.raises(InvalidTransition):
        work.work_order_approve(order=order, actor=employer, now=order.starts_at)
    assert _snapshot(order) == before

    done = checked_out(hire())
    before = _snapshot(done)
    with pytest.raises(InvalidTransition):
        work.work_order_cancel(order=done, actor=done.posting.employer.user, now=done.checked_out_at)
    with pytest.raises(InvalidTransition):
        work.work_order_check_in(
            order=done, actor=done.worker, method=CheckMethod.QR, qr_token=done.qr_token, now=done.starts_at
        )
    with pytest.raises(InvalidTransition):
        work.work_order_mark_no_show(order=done, actor=done.posting.employer.user, now=done.checked_out_at)
    assert _snapshot(done) == before

    work.work_order_approve(order=done, actor=done.posting.employer.user, now=done.checked_out_at + H)
    before = _snapshot(done)
    with pytest.raises(InvalidTransition):
        work.work_order_approve(order=done, actor=done.posting.employer.user, now=done.checked_out_at + 2 * H)
    assert _snapshot(done) == before
