"""Issue 17's whole path for one worker, end to end through the services each step's door calls: the proactive
run offers the social-insurance subsidy → the worker confirms it (the pre-filled application) → county review →
city review → public notice, where an objection upheld returns it → again through both levels and a notice
that ends quietly → approved with its entitlement → a disbursement batch → the bank's file → the bank's result
→ paid, the application disbursed. The officers of one level cannot act at the other (403), and the
disbursing officer is neither reviewer. Expected figures come from the rule: 2/3 × min(800 + 320 paid,
4,000 × 0.28 due on the lowest base) = 746.67 for March 2026."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import Role
from core.errors import NotPermitted
from subsidies.choices import ApplicationStatus as S
from subsidies.choices import OfferStatus, PaymentStatus
from subsidies.models import Budget, Entitlement, Offer, Payment
from subsidies.services import disbursement, offers
from subsidies.services.applications import (
    application_city_review,
    application_county_review,
    application_resubmit,
)
from subsidies.services.notice import notices_conclude, objection_handle, objection_submit

from ..accounts.factories import UserFactory
from .disbursement_support import account_for, result_upload
from .factories import certify, contribution, program, work_days

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)
AMOUNT = Decimal("746.67")
NOW = dt.datetime(2026, 4, 7, 10, 0, tzinfo=dt.UTC)  # a Tuesday: the March contributions are confirmed


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_offered_confirmed_reviewed_noticed_objected_approved_batched_and_paid(
    county_a, officer, city_staff, django_capture_on_commit_callbacks
):
    person = UserFactory(
        scope_unit=county_a, roles=[Role.WORKER], birth_date=dt.date(1980, 6, 15), gender="M"
    )
    certify(person)
    work_days(person, MARCH, 5)
    contribution(person, MARCH)
    account_for(person)
    Budget.objects.create(
        program_type=program(), scope_unit=county_a, year=2026, amount=Decimal("10000.00"), notice="测试预算"
    )
    paying_officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])

    # offered: the run finds them from the records and tells them once
    run = offers.offer_run_start(actor=city_staff, as_of=NOW.date())
    offers.offer_run_run(run_id=run.pk)
    offer = Offer.objects.get(person=person, period_start=MARCH)
    assert (offer.status, offer.amount) == (OfferStatus.OFFERED, AMOUNT)

    # confirmed: the pre-filled application, submitted
    offers.offer_confirm(offer_id=offer.pk, person=person, actor=person)
    offer.refresh_from_db()
    app = offer.application
    assert (offer.status, app.status, app.amount_requested) == (OfferStatus.CONFIRMED, S.SUBMITTED, AMOUNT)

    # the county officer cannot do the city's step, nor the city staff member the county's
    with pytest.raises(NotPermitted):
        application_city_review(actor=officer, application=app, outcome="approve")
    with pytest.raises(NotPermitted):
        application_county_review(actor=city_staff, application=app, outcome="approve")
    app.refresh_from_db()
    assert app.status == S.SUBMITTED

    application_county_review(actor=officer, application=app, outcome="approve")
    application_city_review(actor=city_staff, application=app, outcome="approve")
    app.refresh_from_db()
    assert app.status == S.PUBLIC_NOTICE

    # an objection in the notice, upheld: back to the worker
    objection = objection_submit(actor=None, application=app, text="该申请人三月并未在本地灵活就业。")
    objection_handle(actor=officer, objection=objection, uphold=True, note="经核实，补充用工证明后重新提交")
    app.refresh_from_db()
    assert app.status == S.RETURNED and not Entitlement.objects.filter(application=app).exists()

    # again through both levels, and a notice that ends with no objection: approved, one entitlement
    application_resubmit(actor=person, application=app)
    application_county_review(actor=officer, application=app, outcome="approve")
    application_city_review(actor=city_staff, application=app, outcome="approve")
    app.refresh_from_db()
    assert notices_conclude(today=app.notice_end + dt.timedelta(days=1)) == 1
    app.refresh_from_db()
    assert app.status == S.APPROVED
    assert list(Entitlement.objects.filter(application=app).values_list("month", "amount")) == [
        (MARCH, AMOUNT)
    ]

    # a reviewer cannot disburse it: their batch leaves it out
    own = disbursement.batch_create(actor=officer, program_type=program(), scope_unit=county_a)
    with django_capture_on_commit_callbacks(execute=True):
        disbursement.batch_generate_start(batch=own, actor=officer)
    assert not Payment.objects.filter(application=app).exists()

    # another officer of the county makes the batch: one payment, the bank's file, the bank's result
    batch = disbursement.batch_create(actor=paying_officer, program_type=program(), scope_unit=county_a)
    with django_capture_on_commit_callbacks(execute=True):
        disbursement.batch_generate_start(batch=batch, actor=paying_officer)
    payment = Payment.objects.get(application=app)
    assert (payment.batch, payment.amount, payment.status) == (batch, AMOUNT, PaymentStatus.PENDING)
    _name, data = disbursement.batch_export(batch=batch, actor=paying_officer, fmt="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert any(payment.idempotency_key in row and "746.67" in row for row in rows)
    with django_capture_on_commit_callbacks(execute=True):
        disbursement.result_import_start(
            batch=batch,
            actor=paying_officer,
            uploaded_file=result_upload([(payment.idempotency_key, "成功", "")]),
        )
    payment.refresh_from_db()
    app.refresh_from_db()
    assert (payment.status, app.status) == (PaymentStatus.PAID, S.DISBURSED)
    path = list(app.events.order_by("at", "id").values_list("to_status", flat=True))
    assert path == [
        S.DRAFT, S.SUBMITTED, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PUBLIC_NOTICE, S.RETURNED,
        S.SUBMITTED, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PUBLIC_NOTICE, S.APPROVED, S.DISBURSED,
    ]  # fmt: skip
