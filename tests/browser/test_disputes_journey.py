"""Issue 16's intervention journeys by pages, in headless Chromium at 360×640 without JavaScript, each from `/`
by clicks:

(a) a worker who was not paid for an approved work order signs in and complains about the employer with a wages
claim line, and sees it in 我的投诉 with its status and deadline in plain words; county staff match the
respondent to the employer on record and accept it in the admin; the employer opens 投诉我的 from their home and
answers; staff record a mediation agreement to pay through that work order; the employer pays (the sandbox
provider); the worker confirms receipt, the case is resolved, and the worker rates the handling. The stored
state is asserted at the end.

(b) counter intake: county staff sign in, go from their home to the counter and record an oral complaint with
the complainant's signature scan; the stored case, its channel, scan and the routing rule that matched are
asserted. Screenshots go to var/screens/."""

from __future__ import annotations

import io
import os
import re
from decimal import Decimal

import pytest

from accounts.choices import Role
from tests.accounts.factories import UserFactory

from .test_journeys import SCREENS, Person, jobs_seed  # noqa: F401 (fixture)

PASSWORD = "pass-word-123"
pytestmark = pytest.mark.usefixtures("jobs_seed")


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


class Desk(Person):
    """County staff at a desktop (the admin is not a phone page): a wide window, screenshots only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def look(self, what: str) -> None:
        assert not self.errors, self.errors
        self.shots += 1
        os.makedirs(SCREENS, exist_ok=True)
        self.page.screenshot(
            path=os.path.join(SCREENS, f"desk-{self.name}-{self.shots:02d}-{what}.png"), full_page=True
        )


def _log_in(person: Person, phone: str) -> None:
    page = person.page
    page.goto(person.url + "/")
    person.look("home")
    person.click('main a:has-text("登录")', "login")
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    person.click("main button[type=submit]", "signed-in")


def _case_action(staff: Person, number: str, action: str, what: str) -> None:
    """In the admin's case queue: find the case by its number, tick it, run the action."""
    page = staff.page
    staff.click("#site-name a", "admin-index")
    staff.click("a[href$='/admin/disputes/case/'] >> nth=0", "case-queue")
    page.fill("#searchbar", number)
    staff.click("#changelist-search [type=submit]", "case-found")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", action)
    staff.click("#changelist-form button[name=index]", what)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 120), (240, 240, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_complaint_to_paid_agreement_and_rating_by_pages(chromium, live_server, settings, tmp_path):
    from disputes.choices import AnswerPosition, CaseStatus, Channel, ClaimType, MediationOutcome
    from disputes.models import Case, CaseEvent, MediationRecord, RespondentAnswer, SatisfactionRating
    from work.choices import PaymentBackend, PaymentStatus, WorkOrderStatus
    from work.models import Payment

    from ..work.test_payments import approved_order

    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.LINGONG_PAYMENT_BACKEND = PaymentBackend.SANDBOX
    order = approved_order(amount="3120.00")  # approved hours, never paid
    worker_user, employer = order.worker, order.posting.employer
    for user in (worker_user, employer.user):
        user.set_password(PASSWORD)
        user.save()
    officer = UserFactory(scope_unit=order.posting.scope_unit, roles=[Role.COUNTY_STAFF], password=PASSWORD)

    # --- the worker complains ---
    worker = Person(chromium, live_server.url, "dispute-worker", js=False)
    _log_in(worker, worker_user.phone)
    worker.nav("维权投诉")
    worker.click('main a:has-text("我要投诉")', "complain-form")
    page = worker.page
    page.fill("#id_respondent_name", employer.display_name)
    page.select_option("#id_relationship_type", "labour")
    page.fill("#id_facts", "在对方处做保洁，工时已确认，3120 元一直没付。")
    page.select_option("#id_claim1_type", ClaimType.WAGES)
    page.fill("#id_claim1_amount", "3120")
    worker.click('main button:has-text("提交投诉")', "complained")
    case = Case.objects.get()
    assert case.number in worker.message()
    worker.nav("维权投诉")
    mine = page.locator("ol.cases li").inner_text()
    assert case.number in mine and "已收到" in mine
    running = case.clocks.running().first()
    if running is not None:  # the routing rule's acceptance clock, in plain words
        assert (
            f"{running.current_due_on.year}年{running.current_due_on.month}月{running.current_due_on.day}日前"
            in mine
        )

    # --- county staff match the respondent on record and accept ---
    staff = Desk(chromium, live_server.url, "dispute-staff", js=False)
    _log_in(staff, officer.phone)
    staff.click("a[href$='/admin/disputes/case/'] >> nth=0", "case-queue")
    staff.click(f'a:has-text("{case.number}")', "case-page")
    staff.page.fill("#id_respondent", str(employer.pk))
    staff.click('input[name="_save"]', "respondent-matched")
    case.refresh_from_db()
    assert case.respondent_id == employer.pk
    _case_action(staff, case.number, "accept", "accepted")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED

    # --- the employer answers ---
    boss = Person(chromium, live_server.url, "dispute-employer", js=False)
    _log_in(boss, employer.user.phone)
    boss.click('main a:has-text("投诉我的")', "complaints-about-me")
    boss.click(f'main a:has-text("{case.number}")', "respondent-case")
    boss.click("#answer-link", "answer-form")
    claim = case.claims.get()
    boss.page.check(f"input[name=claim{claim.pk}_position][value={AnswerPosition.ACCEPT}]")
    boss.page.fill("#id_account", "工钱确实没结，同意支付。")
    boss.click("#answer-form button[type=submit]", "answered")
    assert "已提交答复" in boss.message()

    # --- staff record the mediation agreement to pay through the work order ---
    _case_action(staff, case.number, "record_mediation", "mediation-form")
    spage = staff.page
    spage.fill("#id_participants", "申请人、被申请人、调解员")
    spage.select_option("#id_outcome", MediationOutcome.AGREEMENT)
    spage.fill("#id_terms", "被申请人于三日内支付拖欠工资 3120 元。")
    spage.fill("#id_agreed_amount", "3120")
    spage.fill("#id_pay_by", f"{order.work_date.year + 1}-01-31")
    spage.select_option("#id_work_order", str(order.pk))
    staff.click("#service-form input[type=submit]", "mediation-recorded")
    record = MediationRecord.objects.get()
    assert record.work_order_id == order.pk

    # --- the employer pays by the sandbox provider ---
    boss.nav("招人")  # the employer's home
    boss.click('main a:has-text("投诉我的")', "complaints-about-me-2")
    boss.click(f'main a:has-text("{case.number}")', "respondent-case-2")
    boss.click("#pay-link", "pay-page")
    boss.click("#pay-form button[type=submit]", "paid")
    assert "已付款" in boss.page.locator("#pay-state").inner_text()

    # --- the worker confirms receipt and rates ---
    worker.nav("维权投诉")
    worker.click(f'main a:has-text("{case.number}")', "case-agreed")
    assert "对方已付款" in worker.page.content()
    worker.click("#confirm-receipt button[type=submit]", "confirmed")
    assert "已办结" in worker.page.content()
    worker.page.check("#rate-form input[name=stars][value='5']")
    worker.page.fill("#id_comment", "处理及时，钱已到账。")
    worker.click("#rate-form button[type=submit]", "rated")
    assert "谢谢您的评价" in worker.message()

    # --- stored state ---
    case.refresh_from_db()
    order.refresh_from_db()
    record.refresh_from_db()
    payment = Payment.objects.get()
    assert case.channel == Channel.ONLINE and case.status == CaseStatus.RESOLVED
    assert "3120.00" in case.resolution and record.terms in case.resolution
    assert list(CaseEvent.objects.filter(case=case).order_by("id").values_list("to_status", flat=True)) == [
        CaseStatus.RECEIVED,
        CaseStatus.ACCEPTED,
        CaseStatus.MEDIATING,
        CaseStatus.RESOLVED,
    ]
    answer = RespondentAnswer.objects.get(case=case)
    assert answer.answered_by == employer.user and answer.lines.get().accepted_amount == Decimal("3120.00")
    assert record.payment == payment and record.receipt_confirmed_at is not None
    assert payment.backend == PaymentBackend.SANDBOX and payment.status == PaymentStatus.SUCCEEDED
    assert payment.amount == Decimal("3120.00") and order.status == WorkOrderStatus.SETTLED
    rating = SatisfactionRating.objects.get(case=case)
    assert (rating.stars, rating.rated_by) == (5, worker_user)
    assert not case.clocks.running().exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counter_intake_by_pages(chromium, live_server, settings, tmp_path, county_a):
    from disputes.choices import CaseStatus, Channel, ClaimType, Queue, RelationshipType
    from disputes.models import Case
    from disputes.services import route
    from disputes.services.cases import Claim

    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], password=PASSWORD)
    staff = Desk(chromium, live_server.url, "counter-intake", js=False)  # a counter PC
    _log_in(staff, officer.phone)  # staff land on the admin
    staff.click('#user-tools a:has-text("查看站点")', "site")
    staff.nav("服务台")
    staff.click('main a:has-text("登记投诉")', "intake-form")
    page = staff.page
    page.select_option("#id_channel", Channel.COUNTER)
    page.fill("#id_complainant_name", "蔺长河")
    page.fill("#id_complainant_phone", "13700001234")
    page.fill("#id_respondent_name", "潍城某装修队")
    page.select_option("#id_relationship_type", RelationshipType.LABOUR)
    page.fill("#id_facts", "口述：在装修队干了 20 天，每天 300 元，老板一直拖着不给。")
    page.select_option("#id_claim1_type", ClaimType.WAGES)
    page.fill("#id_claim1_amount", "6000")
    page.set_input_files(
        "#id_signature_scan", files=[{"name": "signature.png", "mimeType": "image/png", "buffer": _png()}]
    )
    staff.click('main button:has-text("登记")', "recorded")
    case = Case.objects.get()
    assert case.number in staff.message()
    assert re.search(rf"/disputes/{case.pk}/$", page.url)
    expected = route(
        claims=[Claim(ClaimType.WAGES, Decimal("6000"))],
        relationship_type=RelationshipType.LABOUR,
        scope_unit_id=county_a.pk,
        market_id=None,
    )
    assert expected is not None
    assert case.channel == Channel.COUNTER and case.status == CaseStatus.RECEIVED
    assert case.recorded_by == officer and case.complainant is None
    assert (case.complainant_name, case.complainant_phone) == ("蔺长河", "13700001234")
    assert case.scope_unit == county_a and case.signature_scan.name.endswith(".jpg")
    assert case.routing_rule == expected and case.queue == expected.queue
    assert case.routing_rule_name == str(expected)
    assert case.claims.get().amount == Decimal("6000.00")
    assert case.queue in Queue.values
