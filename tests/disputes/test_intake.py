"""A complaint from each channel becomes a case routed by the rule table, with the matched rule stored; a
劳务 complaint is guided, never referred to arbitration; final-award flags per claim line at both sides of the
threshold of 12 × the monthly minimum wage in force on the day the complaint was received."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.calendar import SHANGHAI
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.models import CountyWageTier, MinimumWageTier
from disputes import services
from disputes.choices import CaseStatus, Channel, ClaimType, ClockKind, Queue, RelationshipType
from disputes.models import Case, CaseEvent, ClaimLine, Evidence, RoutingRule

from ..conftest import nothing_written
from ..jobs.factories import make_employer
from .factories import complaint, jpeg

pytestmark = pytest.mark.django_db


def test_online_wage_complaint_is_routed_to_inspection_with_the_rule_stored(worker):
    case = complaint(worker)
    case.refresh_from_db()
    rule = RoutingRule.objects.get(position=20)  # the seeded "拖欠工资：劳动保障监察"
    assert (case.queue, case.routing_rule_id, case.routing_rule_name) == (
        Queue.INSPECTION,
        rule.pk,
        str(rule),
    )
    assert (case.status, case.channel, case.complainant, case.scope_unit) == (
        CaseStatus.RECEIVED,
        Channel.ONLINE,
        worker,
        worker.scope_unit,
    )
    event = CaseEvent.objects.get(case=case)
    assert (event.from_status, event.to_status, event.actor) == ("", CaseStatus.RECEIVED, worker)
    assert list(case.clocks.values_list("kind", flat=True)) == [ClockKind.INSPECTION_ACCEPT]


CALLER = {"complainant_name": "王大海", "complainant_phone": "13912345678"}


@pytest.mark.parametrize(
    ("who", "channel", "extra"),
    [
        ("worker", Channel.ONLINE, {}),
        ("employer", Channel.ONLINE, {}),
        ("officer", Channel.COUNTER, {**CALLER, "signature": True}),
        ("officer", Channel.HOTLINE, CALLER),
        (
            "officer",
            Channel.TRANSFER_12345,
            {**CALLER, "external_ticket_id": "WF2026-0002", "external_due_on": dt.date(2026, 12, 10)},
        ),
        ("officer", Channel.ARREARS_PLATFORM, {**CALLER, "clue_id_number": "37070219800101001X"}),
    ],
)
def test_every_channel_makes_a_case_routed_by_the_rule_table_with_the_rule_stored(
    request, county_a, private_media, who, channel, extra
):
    # a county's own rule placed before the seeded ones: every channel's case must reach it through the table
    # (wages in 潍城区 go to mediation first), and the case stores which rule matched and its name then
    first = RoutingRule.objects.create(
        position=15,
        name="潍城区欠薪：先行调解",
        claim_type=ClaimType.WAGES,
        scope_unit=county_a,
        queue=Queue.MEDIATION,
    )
    actor = request.getfixturevalue(who)
    data = dict(extra)
    scan = jpeg() if data.pop("signature", False) else None
    case = complaint(actor, channel=channel, signature_scan=scan, **data)
    case.refresh_from_db()
    assert (case.channel, case.status, case.scope_unit) == (channel, CaseStatus.RECEIVED, county_a)
    assert (case.queue, case.routing_rule_id, case.routing_rule_name) == (
        Queue.MEDIATION,
        first.pk,
        str(first),
    )
    assert CaseEvent.objects.get(case=case).to_status == CaseStatus.RECEIVED
    # the stored name survives an edit of the rule (the case keeps what matched then)
    first.name = "改过名的规则"
    first.save()
    case.refresh_from_db()
    assert case.routing_rule_name == "15. 潍城区欠薪：先行调解"


def test_service_dispute_is_guided_and_cannot_be_referred_to_arbitration(worker, officer):
    case = complaint(
        worker,
        relationship_type=RelationshipType.SERVICE,
        claims=[{"claim_type": ClaimType.COMPENSATION, "amount": Decimal("800")}],
    )
    assert case.queue == Queue.GUIDANCE
    assert case.routing_rule.position == 10
    services.case_accept(case=case, actor=officer)
    with pytest.raises(InvalidTransition) as refused:
        services.case_refer_arbitration(case=case, actor=officer)
    assert refused.value.code == "not_arbitrable"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert not case.events.filter(to_status=CaseStatus.REFERRED_ARBITRATION).exists()


def test_labour_dispute_other_than_wages_goes_to_arbitration(worker):
    case = complaint(worker, claims=[{"claim_type": ClaimType.DOUBLE_WAGE, "amount": Decimal("9000")}])
    assert (case.queue, case.routing_rule.position) == (Queue.ARBITRATION, 40)
    assert list(case.clocks.values_list("kind", flat=True)) == [ClockKind.ARBITRATION_ACCEPT]


def test_routing_is_first_match_in_the_admins_order(worker, county_a):
    big = RoutingRule.objects.create(
        position=5,
        name="大额欠薪：仲裁",
        claim_type=ClaimType.WAGES,
        min_amount=Decimal("50000"),
        queue=Queue.ARBITRATION,
    )
    RoutingRule.objects.create(position=1, name="停用的规则", queue=Queue.MEDIATION, is_active=False)
    RoutingRule.objects.create(
        position=2,
        name="别的县",
        scope_unit=None,
        market=None,
        queue=Queue.INSPECTION,
        min_amount=Decimal("999999"),
    )
    small = complaint(worker, claims=[{"claim_type": ClaimType.WAGES, "amount": Decimal("49999.99")}])
    large = complaint(
        worker,
        claims=[
            {"claim_type": ClaimType.WAGES, "amount": Decimal("30000")},
            {"claim_type": ClaimType.OVERTIME, "amount": Decimal("20000")},
        ],
    )
    assert small.routing_rule.position == 20 and small.queue == Queue.INSPECTION
    assert large.routing_rule == big and large.queue == Queue.ARBITRATION  # the total, 50 000, matches


def test_a_rule_for_another_county_does_not_match(worker, county_b):
    RoutingRule.objects.create(position=1, name="寿光市一律调解", scope_unit=county_b, queue=Queue.MEDIATION)
    assert complaint(worker).routing_rule.position == 20


def test_counter_complaint_needs_the_signature_scan_and_stores_it_privately(officer, private_media):
    data = {"complainant_name": "王大海", "complainant_phone": "13912345678"}
    with nothing_written(), pytest.raises(DomainError) as refused:
        complaint(officer, channel=Channel.COUNTER, **data)
    assert "signature_scan" in refused.value.fields
    case = complaint(officer, channel=Channel.COUNTER, signature_scan=jpeg(), **data)
    case.refresh_from_db()
    assert (case.recorded_by, case.complainant, case.complainant_name) == (officer, None, "王大海")
    assert case.scope_unit == officer.scope_unit
    assert case.signature_scan.name.endswith(".jpg")
    assert (private_media / case.signature_scan.name).exists()
    with pytest.raises(ValueError):
        case.signature_scan.url  # noqa: B018 - private files have no URL


def test_12345_transfer_keeps_the_ticket_and_its_own_deadline(officer):
    data = {"complainant_name": "李梅", "complainant_phone": "13700001111"}
    with pytest.raises(DomainError) as refused:
        complaint(officer, channel=Channel.TRANSFER_12345, external_ticket_id="WF2026-0001", **data)
    assert "external_due_on" in refused.value.fields
    case = complaint(
        officer,
        channel=Channel.TRANSFER_12345,
        external_ticket_id="WF2026-0001",
        external_due_on=dt.date(2026, 12, 10),
        **data,
    )
    case.refresh_from_db()
    assert (case.channel, case.external_ticket_id, case.external_due_on) == (
        Channel.TRANSFER_12345,
        "WF2026-0001",
        dt.date(2026, 12, 10),
    )


def test_hotline_and_wage_arrears_clue_record_their_fields(officer):
    hotline = complaint(
        officer, channel=Channel.HOTLINE, complainant_name="赵强", complainant_phone="13600002222"
    )
    assert hotline.channel == Channel.HOTLINE and hotline.recorded_by == officer
    clue = complaint(
        officer,
        channel=Channel.ARREARS_PLATFORM,
        complainant_name="孙立",
        complainant_phone="13600003333",
        clue_id_number="37070219800101001x",
        clue_bank_card="6222020200112233445",
        clue_is_construction=True,
        claims=[
            {
                "claim_type": ClaimType.WAGES,
                "amount": Decimal("15600"),
                "period_from": dt.date(2026, 6, 1),
                "period_to": dt.date(2026, 8, 31),
            }
        ],
    )
    clue.refresh_from_db()
    assert (clue.clue_id_number, clue.clue_bank_card, clue.clue_is_construction) == (
        "37070219800101001X",
        "6222020200112233445",
        True,
    )
    line = clue.claims.get()
    assert (line.amount, line.period_from, line.period_to) == (
        Decimal("15600.00"),
        dt.date(2026, 6, 1),
        dt.date(2026, 8, 31),
    )


def test_staff_record_only_in_their_scope_and_workers_cannot_use_staff_channels(officer, worker, county_b):
    with nothing_written(), pytest.raises(DomainError) as refused:
        complaint(
            officer,
            channel=Channel.HOTLINE,
            complainant_name="赵强",
            complainant_phone="1360000",
            scope_unit=county_b,
        )
    assert "scope_unit" in refused.value.fields
    with nothing_written(), pytest.raises(NotPermitted):
        complaint(worker, channel=Channel.HOTLINE, complainant_name="赵强", complainant_phone="1360000")


def test_respondent_on_record_and_claims_are_validated(worker, county_a):
    employer = make_employer(unit=county_a)
    case = complaint(worker, respondent=employer)
    assert case.respondent == employer and case.respondent_label == employer.display_name
    with nothing_written(), pytest.raises(DomainError) as refused:
        complaint(worker, claims=[{"claim_type": ClaimType.WAGES, "amount": "-1"}])
    assert "claims.0.amount" in refused.value.fields
    with nothing_written(), pytest.raises(DomainError) as refused:
        complaint(worker, respondent_name="")
    assert "respondent_name" in refused.value.fields


@pytest.fixture
def wages_2026(county_a):
    """A new standard for tier 1 from 1 March 2026: 2 300 a month (the seeded one, from 1 Oct 2025, is 2 200)."""
    assert (
        CountyWageTier.objects.filter(county_code=county_a.code).values_list("tier", flat=True).first() == 1
    )
    MinimumWageTier.objects.create(
        tier=1,
        effective_from=dt.date(2026, 3, 1),
        monthly=Decimal("2300"),
        hourly=Decimal("23"),
        notice="测试",
    )


@pytest.mark.parametrize(
    ("received", "amount", "final", "limit"),
    [
        # before 1 March 2026 the 2 200 standard: 12 × 2 200 = 26 400
        (dt.date(2026, 2, 27), "26400.00", True, "26400.00"),
        (dt.date(2026, 2, 27), "26400.01", False, "26400.00"),
        # from 1 March 2026 the 2 300 standard: 12 × 2 300 = 27 600
        (dt.date(2026, 3, 2), "27600.00", True, "27600.00"),
        (dt.date(2026, 3, 2), "27600.01", False, "27600.00"),
        (dt.date(2026, 3, 2), "26400.01", True, "27600.00"),
    ],
)
def test_final_award_flag_per_claim_line_against_the_minimum_wage_of_the_day(
    worker, wages_2026, received, amount, final, limit
):
    with time_machine.travel(dt.datetime.combine(received, dt.time(10), tzinfo=SHANGHAI), tick=False):
        case = complaint(
            worker,
            claims=[
                {"claim_type": ClaimType.COMPENSATION, "amount": Decimal(amount)},
                {"claim_type": ClaimType.WAGES, "amount": Decimal("100")},
            ],
        )
    first, second = ClaimLine.objects.filter(case=case).order_by("id")
    assert (first.final_award, first.final_award_limit) == (final, Decimal(limit))
    assert second.final_award is True


def test_final_award_is_unknown_before_any_minimum_wage_row(worker):
    with time_machine.travel(dt.datetime(2024, 6, 3, 10, tzinfo=SHANGHAI), tick=False):
        case = complaint(worker)
    line = case.claims.get()
    assert (line.final_award, line.final_award_limit) == (None, None)


def test_a_bad_evidence_upload_stores_nothing(worker, private_media):
    script = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with nothing_written(), pytest.raises(DomainError) as refused:
        complaint(worker, uploads=[script])
    assert refused.value.code == "file_type" and "evidence" in refused.value.fields
    assert not Case.objects.exists() and not Evidence.objects.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))
