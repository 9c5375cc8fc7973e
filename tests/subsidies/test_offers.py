"""The proactive offer (免申即享): a run finds exactly the people a brute force over every person finds eligible,
offers and tells each once per program and period, shows its progress, refuses a second start while one
runs; the person confirms or declines their own offer (a counter for them), nobody else's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from core.errors import DomainError, NotPermitted
from core.models import InboxMessage, MessageDelivery, OutboxMessage
from subsidies.choices import EntitlementSource, OfferStatus, PayerKind, RunStatus
from subsidies.models import Entitlement, InsuredPremium, Offer, OfferEvent, OfferRun
from subsidies.services import offers
from subsidies.services.eligibility import assess, offer_periods

from ..accounts.factories import UserFactory
from ..jobs.factories import make_employer
from .factories import certify, contribution, program, work_days

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 4, 10)  # the runs look at January, February and March 2026, and at the year 2026
MARCH, FEBRUARY = dt.date(2026, 3, 1), dt.date(2026, 2, 1)


def worker(unit, born=dt.date(1980, 6, 15), gender="M"):
    return UserFactory(scope_unit=unit, roles=[Role.WORKER], birth_date=born, gender=gender)


def premium(person, month, payer=None, *, amount="60.00", **extra):
    return InsuredPremium.objects.create(
        person=person,
        payer_kind=PayerKind.PLATFORM if payer else PayerKind.PERSON,
        payer=payer,
        payer_name=str(payer) if payer else "本人",
        policy_number=f"P{person.pk}{month:%m}",
        month=month,
        premium=Decimal(amount),
        **extra,
    )


@pytest.fixture
def population(county_a, county_b):
    """People of both counties on every side of every rule the finder's filters stand in for."""
    p = {}
    # eligible for the social-insurance subsidy in March: certified, 5 settled days, contributions confirmed
    p["si_march"] = worker(county_a)
    certify(p["si_march"])
    work_days(p["si_march"], MARCH, 5)
    contribution(p["si_march"], MARCH)
    # eligible in February and March (another county)
    p["si_two_months"] = worker(county_b)
    certify(p["si_two_months"])
    for month in (FEBRUARY, MARCH):
        work_days(p["si_two_months"], month, 4)
        contribution(p["si_two_months"], month)
    # certified with contributions but no work on the portal: "unknown — needs evidence", not offered
    p["si_no_work"] = worker(county_a)
    certify(p["si_no_work"])
    contribution(p["si_no_work"], MARCH)
    # works and contributes, no category on record: not offered
    p["si_no_category"] = worker(county_a)
    work_days(p["si_no_category"], MARCH, 5)
    contribution(p["si_no_category"], MARCH)
    # certified and works, no contribution confirmed: not offered
    p["si_no_contribution"] = worker(county_a)
    certify(p["si_no_contribution"])
    work_days(p["si_no_contribution"], MARCH, 5)
    # March already subsidised (the previous system's records): refused, not offered
    p["si_granted"] = worker(county_a)
    certify(p["si_granted"])
    work_days(p["si_granted"], MARCH, 5)
    contribution(p["si_granted"], MARCH)
    Entitlement.objects.create(
        person=p["si_granted"],
        program_type=program(),
        month=MARCH,
        amount=Decimal("500.00"),
        source=EntitlementSource.LEGACY,
    )
    # past retirement (a man born 1960: 60 in 2020): refused
    p["si_retired"] = worker(county_a, born=dt.date(1960, 1, 10))
    certify(p["si_retired"])
    work_days(p["si_retired"], MARCH, 5)
    contribution(p["si_retired"], MARCH)
    # accident insurance: a platform's premium in a month with work on its postings: eligible
    platform = make_employer(unit=county_a)
    p["acc_platform"] = worker(county_a)
    work_days(p["acc_platform"], MARCH, 2, employer=platform)
    premium(p["acc_platform"], MARCH, platform)
    # a premium whose work is already covered per order (职业伤害保障): not subsidised again
    p["acc_injury_covered"] = worker(county_a)
    work_days(p["acc_injury_covered"], MARCH, 2, employer=platform)
    premium(p["acc_injury_covered"], MARCH, platform, injury_covered=True)
    # a manager of the platform: left out
    p["acc_manager"] = worker(county_a)
    work_days(p["acc_manager"], MARCH, 2, employer=platform)
    premium(p["acc_manager"], MARCH, platform, is_manager=True)
    # over 60: left out
    p["acc_old"] = worker(county_a, born=dt.date(1964, 1, 1))
    work_days(p["acc_old"], MARCH, 2, employer=platform)
    premium(p["acc_old"], MARCH, platform)
    # nobody's records at all
    p["nobody"] = worker(county_b)
    return p


def brute_force(as_of) -> set[tuple[int, str, dt.date]]:
    """Every person, every program offered to workers, every period the page shows: the calculator alone
    (no finder, nothing stored)."""
    found = set()
    for program_type in offers.offered_programs():
        for day in offer_periods(program_type, as_of):
            for person in User.objects.all():
                answer = assess(person, program_type, day, record=False)
                if answer.eligible is True and answer.amount:
                    found.add((person.pk, program_type.code, answer.period_start))
    return found


def run_once(actor=None, as_of=AS_OF) -> OfferRun:
    run = offers.offer_run_start(actor=actor, as_of=as_of)
    offers.offer_run_run(run_id=run.pk)
    run.refresh_from_db()
    return run


def made() -> set[tuple[int, str, dt.date]]:
    return {
        (o.person_id, o.program_type.code, o.period_start)
        for o in Offer.objects.select_related("program_type")
    }


def test_the_run_offers_exactly_whom_a_brute_force_over_everyone_finds(population, city_staff):
    expected = brute_force(AS_OF)
    p = population
    # the brute force is not vacuous: it finds the eligible ones and none of the others
    assert expected == {
        (p["si_march"].pk, "flexible_social_insurance", MARCH),
        (p["si_two_months"].pk, "flexible_social_insurance", FEBRUARY),
        (p["si_two_months"].pk, "flexible_social_insurance", MARCH),
        (p["acc_platform"].pk, "gig_accident_insurance", dt.date(2026, 1, 1)),
    }
    run = run_once(city_staff)
    assert made() == expected
    assert (run.status, run.offered_count, run.errors) == (RunStatus.DONE, 4, 0)
    assert run.rows_done == run.rows_total >= 4
    # each offer rests on the stored decision with its figures: 2/3 × min(800 + 320, 4,000 × 0.28) = 746.67
    offer = Offer.objects.get(person=p["si_march"])
    assert (offer.amount, offer.status, offer.decision.eligible) == (
        Decimal("746.67"),
        OfferStatus.OFFERED,
        True,
    )
    assert offer.decision.figures["work_days"] == 5
    # the accident subsidy: 50 % of the ¥60 premium
    assert Offer.objects.get(person=p["acc_platform"]).amount == Decimal("30.00")


def test_each_person_is_told_once_per_program_and_period_however_often_it_runs(population, city_staff):
    run_once(city_staff)
    first = MessageDelivery.objects.filter(idempotency_key__startswith="subsidy-offer:").count()
    inbox = InboxMessage.objects.count()
    assert Offer.objects.count() == 4
    # one inbox message per offer for each person (and the other channels they have)
    assert InboxMessage.objects.filter(user=population["si_two_months"]).count() == 2
    # a second run (next day), and the same run's task delivered twice, offer and tell nobody again
    second = run_once(None, as_of=AS_OF + dt.timedelta(days=1))
    assert offers.offer_run_run(run_id=second.pk) is None
    assert second.offered_count == 0 and Offer.objects.count() == 4
    assert MessageDelivery.objects.filter(idempotency_key__startswith="subsidy-offer:").count() == first
    assert InboxMessage.objects.count() == inbox
    # even a direct second call for an offered person makes nothing
    assert offers.offer_for(person=population["si_march"], program=program(), day=MARCH) is None
    assert Offer.objects.count() == 4


def test_a_second_start_while_one_runs_is_refused_and_writes_nothing(city_staff):
    offers.offer_run_start(actor=city_staff, as_of=AS_OF)
    with pytest.raises(DomainError) as refused:
        offers.offer_run_start(actor=city_staff, as_of=AS_OF)
    assert refused.value.code == "offer_run_running"
    assert OfferRun.objects.count() == 1
    assert OutboxMessage.objects.filter(task="subsidies.tasks.offer_run_task").count() == 1
    # the monthly task neither fails nor starts a second one
    assert offers.offer_run_monthly() is None and OfferRun.objects.count() == 1


def test_only_city_staff_start_a_run(officer, city_staff):
    with pytest.raises(NotPermitted):
        offers.offer_run_start(actor=officer, as_of=AS_OF)
    assert not OfferRun.objects.exists()


def test_progress_is_stored_chunk_by_chunk(population, city_staff, monkeypatch):
    seen = []
    real = offers.offers_make

    def spy(**kwargs):
        seen.append((OfferRun.objects.values_list("rows_done", flat=True).get(), len(kwargs["people"])))
        return real(**kwargs)

    monkeypatch.setattr(offers, "CHUNK", 2)
    monkeypatch.setattr(offers, "offers_make", spy)
    run = run_once(city_staff)
    # the stored progress advanced chunk by chunk (of at most two people) while the run went on
    done = 0
    for stored, size in seen:
        assert stored == done and 1 <= size <= 2
        done += size
    assert len(seen) > 3 and run.rows_done == run.rows_total == done


def test_one_persons_failure_is_counted_and_the_run_goes_on(population, city_staff, monkeypatch):
    from subsidies.services import eligibility

    real = eligibility._run
    victim = population["si_march"]

    def flaky(program, facts, parameter):
        # the victim's March facts (the only ones with 5 settled days and the default contribution)
        if (
            getattr(facts, "work_days", None) == 5
            and getattr(facts, "category", None)
            and facts.month == MARCH
        ):
            if facts.contribution_row_id == victim.contribution_months.get(month=MARCH).pk:
                raise RuntimeError("boom")
        return real(program, facts, parameter)

    monkeypatch.setattr(eligibility, "_run", flaky)
    run = run_once(city_staff)
    assert (run.status, run.errors, run.offered_count) == (RunStatus.DONE, 1, 3)
    assert [e for e in run.report if e.get("error")] == [
        {
            "person": victim.pk,
            "program": "flexible_social_insurance",
            "day": str(MARCH),
            "error": "RuntimeError",
        }
    ]
    assert not Offer.objects.filter(person=victim).exists()


def test_the_bulk_facts_are_the_facts_of_each_person_alone(population):
    from subsidies.services import eligibility

    people = list(User.objects.all())
    for code, day in (("flexible_social_insurance", MARCH), ("gig_accident_insurance", MARCH)):
        prog = program(code)
        many = eligibility.FACTS_MANY[prog.eligibility_strategy](people, prog, day)
        start = day if code == "flexible_social_insurance" else dt.date(day.year, 1, 1)
        for person in people:
            assert many[person.pk] == eligibility.FACTS[prog.eligibility_strategy](person, prog, start), (
                person
            )


def test_the_person_confirms_or_declines_their_own_offer_only(population, city_staff, client_as):
    run_once(city_staff)
    p = population
    mine = Offer.objects.get(person=p["si_march"])
    client = client_as(p["si_march"])
    page = client.get(reverse("subsidies:mine"))
    assert reverse("subsidies:offer", args=[mine.pk]) in page.content.decode()
    detail = client.get(reverse("subsidies:offer", args=[mine.pk]))
    assert "746.67" in detail.content.decode()
    # someone else's offer: not found, and nothing changes
    other = Offer.objects.filter(person=p["si_two_months"]).first()
    assert client.get(reverse("subsidies:offer", args=[other.pk])).status_code == 404
    assert client.post(reverse("subsidies:offer_decline", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == OfferStatus.OFFERED
    # decline: stored, with its event; a second answer is refused and changes nothing
    client.post(reverse("subsidies:offer_decline", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == OfferStatus.DECLINED and mine.answered_at is not None
    assert (
        OfferEvent.objects.filter(offer=mine, to_status=OfferStatus.DECLINED, actor=p["si_march"]).count()
        == 1
    )
    client.post(reverse("subsidies:offer_confirm", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == OfferStatus.DECLINED and mine.application is None
    assert OfferEvent.objects.filter(offer=mine).count() == 2  # offered, declined


def test_confirming_submits_the_pre_filled_application_once(population, city_staff, client_as):
    from subsidies.choices import ApplicationStatus
    from subsidies.models import Application

    run_once(city_staff)
    person = population["si_two_months"]
    offer = Offer.objects.get(person=person, period_start=MARCH)
    client = client_as(person)
    client.post(reverse("subsidies:offer_confirm", args=[offer.pk]))
    offer.refresh_from_db()
    application = offer.application
    assert offer.status == OfferStatus.CONFIRMED and application is not None
    # the calculator's amount pre-fills it: 2/3 × min(800 + 320, 4,000 × 0.28) = 746.67, for March
    assert (application.person, application.status, application.amount_requested) == (
        person,
        ApplicationStatus.SUBMITTED,
        Decimal("746.67"),
    )
    assert (application.period_start, application.program_type.code) == (MARCH, "flexible_social_insurance")
    # a double click: nothing more
    client.post(reverse("subsidies:offer_confirm", args=[offer.pk]))
    assert Application.objects.filter(person=person).count() == 1


def test_county_staff_see_their_countys_offers_with_the_reasons(population, city_staff, officer, client_as):
    run_once(city_staff)
    page = client_as(officer).get(reverse("admin:subsidies_offer_changelist"))
    assert page.status_code == 200
    listed = set(page.context["cl"].queryset.values_list("person_id", flat=True))
    assert listed == {population["si_march"].pk, population["acc_platform"].pk}
    other_county = Offer.objects.filter(person=population["si_two_months"]).first()
    assert client_as(officer).get(
        reverse("admin:subsidies_offer_change", args=[other_county.pk])
    ).status_code in (
        302,
        404,
    )
    own = Offer.objects.get(person=population["si_march"])
    detail = client_as(officer).get(reverse("admin:subsidies_offer_change", args=[own.pk])).content.decode()
    assert "746.67" in detail and own.decision.reasons[0][1] in detail


def test_city_staff_start_a_run_from_the_admin_and_county_staff_cannot(city_staff, officer, client_as):
    assert client_as(officer).post(reverse("admin:subsidies_offerrun_start")).status_code == 403
    assert not OfferRun.objects.exists()
    response = client_as(city_staff).post(reverse("admin:subsidies_offerrun_start"))
    run = OfferRun.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "admin:subsidies_offerrun_change", args=[run.pk]
    )
    assert run.started_by == city_staff
    # the run is queued (its task on the outbox) and the page shows its progress, refreshing while it runs
    page = client_as(city_staff).get(response.url).content.decode()
    assert 'http-equiv="refresh"' in page


def test_no_work_on_the_portal_is_no_candidate_where_the_row_asks_for_it(population, county_a):
    """The candidates' work condition (a necessary one, so the offers stay those of the brute force): under
    the city's row (4 days or ¥500) a certified contributor with no settled work order in March is not even
    checked; under a county row without a flexible-work requirement the same person is a candidate again."""
    from subsidies.models import ProgramParameter

    flexible = program("flexible_social_insurance")
    march = offers.candidates(flexible, MARCH)
    assert population["si_march"].pk in march
    assert population["si_no_work"].pk not in march
    city = ProgramParameter.objects.in_force(flexible, MARCH, None).first()
    ProgramParameter.objects.create(
        **{
            **{f: getattr(city, f) for f in city.figures()},
            "program_type": flexible,
            "scope_unit": county_a,
            "version": "SI-2026-NO-WORK-RULE",
            "effective_from": dt.date(2026, 1, 1),
            "min_work_days": None,
            "min_work_earnings": None,
            "notice": "县通知（不设灵活就业天数或收入要求）",
        }
    )
    assert population["si_no_work"].pk in offers.candidates(flexible, MARCH)
