"""A complainant who asked that their identity be withheld is never named to the respondent (issue 16's
must-show): a case with a distinctive name, phone and resident ID is walked through acceptance (the respondent
is told), the respondent's answer, mediation (staff's notes and participants name the complainant, as they
would), the agreement, its payment and the worker's confirmation; then everything the respondent can read is
scanned — every page they can open, every API response for their session, their data export, every inbox
row, delivery and outbox row addressed to them, and the staff's reveal of the complainant's mobile and ID (403
to them) — for the raw values and every masked form of them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from core.masking import mask_id_number, mask_name, mask_phone
from core.models import InboxMessage, MessageDelivery, OutboxMessage
from disputes import services
from disputes.choices import AnswerPosition, CaseStatus, ClaimType, MediationOutcome, VisitMethod
from disputes.models import MediationRecord

from ..accounts.factories import UserFactory
from ..jobs.factories import make_employer
from .factories import complaint

pytestmark = pytest.mark.django_db

NAME = "禤雪娇"
PHONE = "13957246813"


def _forbidden(worker) -> list[str]:
    """The raw values and each partly revealing form (masked, surname with the number's tail)."""
    id_number = worker.id_number
    return [
        NAME,
        NAME[0],  # the surname alone (a rare one, so any hit is a leak)
        NAME[1:],
        mask_name(NAME),
        PHONE,
        mask_phone(PHONE),
        PHONE[:3] + "****",
        "*" + PHONE[-4:],
        f"尾号{PHONE[-4:]}",
        f"{NAME[0]}{PHONE[-4:]}",
        id_number,
        mask_id_number(id_number),
        id_number[:14],
        "*" + id_number[-4:],
    ]


def _assert_clean(label: str, text: str, forbidden: list[str]) -> None:
    found = [f for f in forbidden if f in text]
    assert not found, f"{label} reveals {found}"


def test_withheld_identity_never_reaches_the_respondent(client_as, api_as, county_a, officer):
    worker = UserFactory(scope_unit=county_a, real_name=NAME, phone=PHONE, roles=[Role.WORKER])
    forbidden = _forbidden(worker)
    respondent = make_employer(unit=county_a)
    case = complaint(
        worker,
        respondent=respondent,
        withhold_identity=True,
        facts=f"我叫{NAME}，电话 {PHONE}，身份证 {worker.id_number}，在对方工地干了 12 天没拿到钱。",
        claims=[
            {"claim_type": ClaimType.WAGES, "amount": Decimal("3120")},
            {"claim_type": ClaimType.OVERTIME, "amount": Decimal("400")},
        ],
    )
    boss = client_as(respondent.user)
    boss_api = api_as(respondent.user)
    pk = case.pk
    # before acceptance the respondent sees nothing of it
    assert boss.get(f"/disputes/respondent/{pk}/").status_code == 404
    assert boss_api.get(f"/api/v1/cases/{pk}/").status_code == 404

    services.case_accept(case=case, actor=officer)
    pages = {
        "home": "/",
        "employer home": "/jobs/employer/",
        "rights": "/disputes/",
        "complaints about me": "/disputes/respondent/",
        "respondent case": f"/disputes/respondent/{pk}/",
        "answer form": f"/disputes/respondent/{pk}/answer/",
        "case page": f"/disputes/{pk}/",
        "inbox": "/accounts/inbox/",
        "data export": "/accounts/profile/export/",
    }
    api = ["/api/v1/cases/", f"/api/v1/cases/{pk}/"]

    def scan(stage: str) -> None:
        for label, url in pages.items():
            response = boss.get(url, follow=True)
            assert response.status_code == 200, (stage, label, response.status_code)
            _assert_clean(f"{stage}: page {label} ({url})", response.content.decode(), forbidden)
        for url in api:
            response = boss_api.get(url)
            assert response.status_code == 200, (stage, url)
            _assert_clean(f"{stage}: API {url}", response.content.decode(), forbidden)
        # the staff's reveal of the complainant's mobile and ID (ADR 0032) is refused to the respondent
        for field in ("phone", "id_number"):
            url = f"/disputes/{pk}/complainant/{field}/reveal/"
            for response in (boss.get(url), boss.post(url, {"reason": "想知道是谁"})):
                assert response.status_code == 403, (stage, url)
                _assert_clean(f"{stage}: reveal {url}", response.content.decode(), forbidden)
            response = boss_api.post(
                f"/api/v1/cases/{pk}/reveal-complainant/",
                {"field": field, "reason": "想知道是谁"},
                format="json",
            )
            assert response.status_code == 403, (stage, field)
            _assert_clean(f"{stage}: API reveal {field}", response.content.decode(), forbidden)
        detail = boss_api.get(f"/api/v1/cases/{pk}/").json()
        assert detail["complainant"] is None and detail["facts"] == "" and detail["withhold_identity"] is None
        rows = [m.body + m.url for m in InboxMessage.objects.filter(user=respondent.user)]
        recipients = {str(respondent.user.pk), respondent.user.phone}
        deliveries = MessageDelivery.objects.filter(recipient__in=recipients)
        rows += [d.body + d.url for d in deliveries]
        rows += [json.dumps(o.kwargs, ensure_ascii=False) for o in OutboxMessage.objects.all()]
        assert rows, "the respondent was told"
        for row in rows:
            _assert_clean(f"{stage}: message", row, forbidden)

    scan("accepted")
    assert InboxMessage.objects.filter(user=respondent.user, url=f"/disputes/respondent/{pk}/").exists()

    wage_line, overtime_line = case.claims.order_by("id")
    answered = boss.post(
        f"/disputes/respondent/{pk}/answer/",
        {
            "account": "工资认可，加班费只认一部分。",
            f"claim{wage_line.pk}_position": AnswerPosition.ACCEPT,
            f"claim{overtime_line.pk}_position": AnswerPosition.PARTIAL,
            f"claim{overtime_line.pk}_amount": "200",
        },
    )
    assert answered.status_code == 302
    answer_id = case.respondent_answer.pk
    api += ["/api/v1/case-answers/", f"/api/v1/case-answers/{answer_id}/", "/api/v1/mediation-records/"]
    pages.pop("answer form")  # answered: it now redirects to the case
    scan("answered")

    # staff's own records name the complainant (participants, notes): the respondent must not read them
    services.mediation_record(
        case=case,
        actor=officer,
        held_on=timezone.localdate(),
        participants=f"申请人{NAME}（{PHONE}）、被申请人代表",
        notes=f"{NAME}同意分期。",
        outcome=MediationOutcome.CONTINUING,
    )
    record = services.mediation_record(
        case=case,
        actor=officer,
        held_on=timezone.localdate(),
        participants=f"申请人{NAME}、被申请人代表",
        notes=f"{NAME}确认协议。",
        outcome=MediationOutcome.AGREEMENT,
        terms="被申请人于七日内支付工资 3320 元，双方再无争议。",
        agreed_amount=Decimal("3320"),
        pay_by=timezone.localdate() + dt.timedelta(days=7),
    )
    pages["payment page"] = f"/disputes/respondent/{pk}/pay/"
    scan("agreed")

    paid = boss.post(f"/disputes/respondent/{pk}/pay/", {"idempotency_key": "withheld-1", "note": "银行转账"})
    assert paid.status_code == 302
    record.refresh_from_db()
    assert record.paid_declared_at is not None
    services.agreement_confirm_receipt(record=record, actor=worker)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    services.visit_back_record(
        case=case,
        actor=officer,
        visited_on=timezone.localdate(),
        method=VisitMethod.PHONE,
        notes=f"{NAME}已收到",
    )
    services.rating_submit(case=case, actor=worker, stars=5, comment=f"{NAME}：满意")
    api += ["/api/v1/case-ratings/", "/api/v1/visit-backs/"]
    scan("resolved")
    # the control: the same scan finds the values where they may be read (the complainant's own view)
    own = api_as(worker).get(f"/api/v1/cases/{pk}/").content.decode()
    assert NAME in own and PHONE in own
    assert NAME in client_as(worker).get(f"/disputes/{pk}/").content.decode()  # the facts they wrote
    # and staff of the county read the mobile masked, in full only through the audited reveal
    staff_page = client_as(officer).get(f"/disputes/{pk}/").content.decode()
    assert mask_phone(PHONE) in staff_page and PHONE not in staff_page.replace(case.facts, "")
    revealed = client_as(officer).post(f"/disputes/{pk}/complainant/phone/reveal/", {"reason": "回访"})
    assert PHONE in revealed.content.decode()
    assert MediationRecord.objects.filter(case=case).count() == 2


def test_a_withheld_case_is_not_paid_through_the_workers_work_order(county_a, officer, worker):
    """Paying the complainant's work order would show the respondent who the payee is."""
    from core.errors import DomainError

    from ..work.test_payments import approved_order

    order = approved_order(unit=county_a, worker=worker, amount="3120.00")
    case = complaint(worker, respondent=order.posting.employer, withhold_identity=True)
    services.case_accept(case=case, actor=officer)
    with pytest.raises(DomainError) as exc:
        services.mediation_record(
            case=case,
            actor=officer,
            held_on=timezone.localdate(),
            participants="双方",
            outcome=MediationOutcome.AGREEMENT,
            terms="支付工资",
            agreed_amount=Decimal("3120"),
            pay_by=timezone.localdate(),
            work_order=order,
        )
    assert exc.value.code == "identity_withheld" and not MediationRecord.objects.exists()
