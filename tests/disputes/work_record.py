"""A real work record for the evidence-bundle tests, made through the jobs and work services: a published
posting, a worker hired, checked in by GPS near the site and out by QR, hours corrected by the employer,
approved, and paid online through the sandbox (its signed callback stored)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from work import services as work
from work.choices import PaymentBackend, PaymentMethod

from ..work.test_work_orders import checked_out, hire

H = dt.timedelta(hours=1)
CORRECTED_HOURS = Decimal("7.50")
CORRECTION_REASON = "午休一小时不计工时"


def worked_order(*, unit=None, worker=None, employer=None, pay: bool = True):
    """The order after check-in (8:00), check-out (16:30, 8.5 h), a correction to 7.5 h, the employer's
    approval at 18:00, and (``pay``) a sandbox payment that succeeded on its callback."""
    order = hire(unit=unit, worker=worker, employer=employer)
    order = checked_out(order, hours=Decimal("8.5"))
    boss = order.posting.employer.user
    work.work_order_correct_hours(
        order=order, actor=boss, reason=CORRECTION_REASON, hours=CORRECTED_HOURS, now=order.starts_at + 9 * H
    )
    work.work_order_approve(order=order, actor=boss, now=order.starts_at + 10 * H)
    order.refresh_from_db()
    if pay:
        payment = work.payment_request(
            work_order=order,
            actor=boss,
            idempotency_key=f"bundle-{order.pk}",
            method=PaymentMethod.ONLINE,
            backend=PaymentBackend.SANDBOX,
        )
        work.sandbox_deliver(payment.pk)
        order.refresh_from_db()
    return order
