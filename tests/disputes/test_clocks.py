"""Statutory clocks. Expected dates are counted by hand from the law and the State Council's holiday notices
(see tests/core/test_calendar_notices.py): inspection in working days, arbitration and mediation in calendar
days whose last day moves off a holiday to the next working day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core.calendar import SHANGHAI, end_of_day
from core.errors import DomainError, InvalidTransition
from core.models import AuditLog, MessageDelivery
from disputes import services
from disputes.choices import CaseStatus, ClaimType, ClockKind, DayKind
from disputes.models import CaseClock, ClockExtension, ClockRule

from .factories import complaint

pytestmark = pytest.mark.django_db

WAGES = [{"claim_type": ClaimType.WAGES, "amount": Decimal("3120")}]
COMPENSATION = [{"claim_type": ClaimType.COMPENSATION, "amount": Decimal("9000")}]


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False)


def clock(case, kind) -> CaseClock:
    return CaseClock.objects.get(case=case, kind=kind)


def test_inspection_acceptance_is_due_five_working_days_after_the_last_day_before_national_day(worker):
    with at(dt.date(2025, 9, 30)):
        case = complaint(worker, claims=WAGES)
    accept = clock(case, ClockKind.INSPECTION_ACCEPT)
    rule = ClockRule.objects.get(kind=ClockKind.INSPECTION_ACCEPT)
    # Oct 1–8 holiday; Oct 9, 10, 11 (Saturday make-up), 13, 14
    assert accept.due_on == dt.date(2025, 10, 14)
    assert accept.due_at == end_of_day(dt.date(2025, 10, 14))
    assert (accept.rule, accept.rule_version, accept.day_kind, accept.days) == (
        rule,
        f"inspection_accept@{rule.effective_from:%Y-%m-%d}",
        DayKind.WORKING,
        5,
    )


def test_arbitration_acceptance_counts_calendar_days_and_leaves_a_holiday(worker):
    with at(dt.date(2025, 9, 30)):
        case = complaint(worker, claims=COMPENSATION)
    # 30 Sep + 5 days = 5 Oct, inside the holiday: the first working day after it, 9 Oct
    assert clock(case, ClockKind.ARBITRATION_ACCEPT).due_on == dt.date(2025, 10, 9)


def test_inspection_resolution_60_working_days_and_one_extension_of_30(worker, officer):
    with at(dt.date(2026, 2, 24)):
        case = complaint(worker, claims=WAGES)
    with at(dt.date(2026, 3, 2)):
        services.case_accept(case=case, actor=officer)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert clock(case, ClockKind.INSPECTION_ACCEPT).stopped_at is not None
    resolve = clock(case, ClockKind.INSPECTION_RESOLVE)
    # from Mon 2 Mar 2026: 60 working days, skipping 6 Apr (清明) and 1–5 May, counting Sat 9 May → Thu 28 May
    assert resolve.due_on == dt.date(2026, 5, 28)
    with at(dt.date(2026, 5, 20)):
        extension = services.clock_extend(
            clock=resolve, actor=officer, days=30, reason="案情复杂，需调取工地考勤"
        )
    resolve.refresh_from_db()
    # 30 working days after 28 May, skipping Fri 19 Jun (端午) → Fri 10 Jul
    assert (resolve.due_on, resolve.extended_due_on) == (dt.date(2026, 5, 28), dt.date(2026, 7, 10))
    assert resolve.extended_due_at == end_of_day(dt.date(2026, 7, 10))
    assert (extension.due_on_before, extension.due_on_after, extension.approved_by) == (
        dt.date(2026, 5, 28),
        dt.date(2026, 7, 10),
        officer,
    )
    assert AuditLog.objects.filter(object_id=str(case.pk), after__extension_days=30).exists()
    with pytest.raises(InvalidTransition) as refused:
        services.clock_extend(clock=resolve, actor=officer, days=1, reason="再延一天")
    assert refused.value.status == 409 and refused.value.code == "already_extended"
    resolve.refresh_from_db()
    assert resolve.extended_due_on == dt.date(2026, 7, 10)
    assert ClockExtension.objects.filter(clock=resolve).count() == 1


def test_arbitration_award_45_days_and_one_extension_of_at_most_15(worker, officer):
    with at(dt.date(2026, 2, 24)):
        case = complaint(worker, claims=COMPENSATION)
    with at(dt.date(2026, 3, 2)):
        services.case_accept(case=case, actor=officer)
    award = clock(case, ClockKind.ARBITRATION_AWARD)
    assert award.due_on == dt.date(2026, 4, 16)  # 2 Mar + 45 days, a Thursday
    with pytest.raises(DomainError) as too_long:
        services.clock_extend(clock=award, actor=officer, days=16, reason="复杂")
    assert "days" in too_long.value.fields
    assert not ClockExtension.objects.exists()
    services.clock_extend(clock=award, actor=officer, days=15, reason="需要鉴定")
    award.refresh_from_db()
    assert award.extended_due_on == dt.date(2026, 5, 6)  # 16 Apr + 15 = 1 May (劳动节) → Wed 6 May


def test_acceptance_clocks_cannot_be_extended(worker, officer):
    case = complaint(worker, claims=WAGES)
    with pytest.raises(InvalidTransition) as refused:
        services.clock_extend(
            clock=clock(case, ClockKind.INSPECTION_ACCEPT), actor=officer, days=2, reason="忙"
        )
    assert refused.value.code == "not_extendable"


def test_mediation_has_15_days(worker, officer):
    with at(dt.date(2026, 3, 2)):
        case = complaint(worker, claims=WAGES)
        services.case_accept(case=case, actor=officer)
        services.case_mediate(case=case, actor=officer)
    assert clock(case, ClockKind.MEDIATION).due_on == dt.date(2026, 3, 17)  # a Tuesday


def test_a_clock_keeps_the_rule_it_started_with(worker, officer):
    with at(dt.date(2026, 3, 2)):
        before = complaint(worker, claims=WAGES)
    ClockRule.objects.create(
        kind=ClockKind.INSPECTION_ACCEPT,
        effective_from=dt.date(2026, 4, 1),
        day_kind=DayKind.WORKING,
        days=3,
        basis="假设的新规定",
    )
    with at(dt.date(2026, 4, 7)):
        after = complaint(worker, claims=WAGES)
    old = clock(before, ClockKind.INSPECTION_ACCEPT)
    new = clock(after, ClockKind.INSPECTION_ACCEPT)
    assert (old.days, old.due_on, old.rule_version) == (
        5,
        dt.date(2026, 3, 9),
        "inspection_accept@2008-05-01",
    )
    # Tue 7 Apr 2026 + 3 working days: 8, 9, 10
    assert (new.days, new.due_on, new.rule_version) == (
        3,
        dt.date(2026, 4, 10),
        "inspection_accept@2026-04-01",
    )


def test_resolving_stops_every_clock(worker, officer):
    case = complaint(worker, claims=WAGES)
    services.case_accept(case=case, actor=officer)
    services.case_resolve(case=case, actor=officer, resolution="用工方已全额支付")
    assert not CaseClock.objects.running().filter(case=case).exists()


def test_escalation_fires_once_at_80_percent_and_once_at_100_percent(worker, officer):
    # received Mon 2 Mar 2026 10:00, due Mon 9 Mar 24:00 (5 working days): a span of 7 days 14 hours = 182
    # hours, of which 80 % is 145.6 hours → Sun 8 Mar 11:36
    with at(dt.date(2026, 3, 2)):
        case = complaint(worker, claims=WAGES)
    accept = clock(case, ClockKind.INSPECTION_ACCEPT)
    assert accept.due_at == dt.datetime(2026, 3, 10, 0, 0, tzinfo=SHANGHAI)
    staff_messages = MessageDelivery.objects.filter(recipient=str(officer.pk))
    with time_machine.travel(dt.datetime(2026, 3, 7, 0, 0, tzinfo=SHANGHAI), tick=False):
        assert services.case_escalate_due() == 0
    with time_machine.travel(dt.datetime(2026, 3, 8, 11, 30, tzinfo=SHANGHAI), tick=False):
        assert services.case_escalate_due() == 0
    with time_machine.travel(dt.datetime(2026, 3, 8, 11, 40, tzinfo=SHANGHAI), tick=False):
        assert services.case_escalate_due() == 1
        assert services.case_escalate_due() == 0
    accept.refresh_from_db()
    assert accept.escalated_warn_at is not None and accept.escalated_overdue_at is None
    assert staff_messages.count() == 1
    with time_machine.travel(dt.datetime(2026, 3, 10, 0, 1, tzinfo=SHANGHAI), tick=False):
        assert services.case_escalate_due() == 1
        assert services.case_escalate_due() == 0
    accept.refresh_from_db()
    assert accept.escalated_overdue_at is not None
    assert staff_messages.count() == 2
    system = services.system_user()
    audits = AuditLog.objects.filter(object_id=str(case.pk), actor=system)
    assert sorted(a.after["escalated"] for a in audits) == ["overdue", "warn"]
    assert not system.is_active and not system.has_usable_password()


def test_escalation_of_another_countys_case_tells_only_its_staff(worker_b, officer, officer_b):
    with at(dt.date(2026, 3, 2)):
        complaint(worker_b, claims=WAGES)
    with time_machine.travel(dt.datetime(2026, 3, 11, tzinfo=SHANGHAI), tick=False):
        assert services.case_escalate_due() == 1
    assert MessageDelivery.objects.filter(recipient=str(officer_b.pk)).count() == 1
    assert not MessageDelivery.objects.filter(recipient=str(officer.pk)).exists()


def test_escalation_scan_reads_only_clocks_past_a_threshold(worker, officer):
    with at(dt.date(2026, 3, 2)):
        due = complaint(worker, claims=WAGES)  # acceptance due 9 Mar 24:00
    with at(dt.date(2026, 3, 9)):
        fresh = complaint(worker, claims=WAGES)  # acceptance due 16 Mar 24:00
    with time_machine.travel(dt.datetime(2026, 3, 10, 8, tzinfo=SHANGHAI), tick=False):
        assert services.case_escalate_due(limit=1) == 1  # the one batch place goes to the overdue clock
    assert clock(due, ClockKind.INSPECTION_ACCEPT).escalated_overdue_at is not None
    untouched = clock(fresh, ClockKind.INSPECTION_ACCEPT)
    assert (untouched.escalated_warn_at, untouched.escalated_overdue_at) == (None, None)
