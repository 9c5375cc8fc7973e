"""The eligibility calculator's door to the records: gather one person's facts for a program and a period,
run the program's strategies (pure, ``subsidies.strategies``) under the parameter row in force, and store
the decision with every figure (``EligibilityDecision``, a new row only when the answer changed).

Facts come from the portal's own verified records:

- the person (birth date and gender from real-name verification),
- their category (``jobs.PersonCategory``, staff-verified: hard-to-employ in force in the month, or a
  graduate with the leaving date),
- their settled work orders in the month (``work.WorkOrder``: distinct work days and amounts),
- the contribution month confirmed by the social-insurance system (``ContributionMonth``, imported),
- the accident-insurance premiums on the insured lists (``InsuredPremium``) and the work orders with each
  payer in the row's month (the registered employment record),
- and what was already granted (``Entitlement``: months used, the first month, this year's amount).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.months import month_start, next_month
from jobs.choices import PersonCategoryKind, PersonCategorySource
from jobs.models import PersonCategory
from work.choices import WorkOrderStatus
from work.models import WorkOrder

from ..models import (
    Application,
    ContributionMonth,
    EligibilityDecision,
    Entitlement,
    InsuredPremium,
    ProgramParameter,
    ProgramType,
)
from ..strategies import CYCLE, Decision, evaluate
from ..strategies.accident import AccidentFacts, PremiumRow
from ..strategies.social_insurance import SocialInsuranceFacts

# work orders that show the person worked for the payer that month (registered employment record)
WORKED = (WorkOrderStatus.CHECKED_OUT, WorkOrderStatus.APPROVED, WorkOrderStatus.SETTLED)


@dataclass
class Answer:
    """One program's answer for a person and period: the program, the period, the parameter row, the
    decision (figures, reasons, needs) and the stored row."""

    program: ProgramType
    period_start: dt.date
    period_end: dt.date
    parameter: ProgramParameter | None
    decision: Decision
    stored: EligibilityDecision | None = None

    @property
    def eligible(self):
        return self.decision.eligible

    @property
    def amount(self):
        return self.decision.amount


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    return month, next_month(month) - dt.timedelta(days=1)


def social_insurance_facts_many(
    people, program: ProgramType, month: dt.date
) -> dict[int, SocialInsuranceFacts]:
    """The facts of the month for each of ``people`` (users), by id, in five queries whatever their number:
    what the proactive run reads for a chunk of candidates and what ``assess`` reads for one person."""
    month = month_start(month)
    first_day, last_day = _month_bounds(month)
    people = {p.pk: p for p in people}
    ids = list(people)
    hard, graduate = {}, {}
    rows = (
        PersonCategory.objects.filter(user_id__in=ids, source=PersonCategorySource.STAFF_VERIFIED)
        .filter(
            Q(
                category=PersonCategoryKind.HARD_TO_EMPLOY,
                valid_from__lte=last_day,
            )
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=first_day))
            | Q(category=PersonCategoryKind.GRADUATE, valid_from__lte=last_day)
        )
        .order_by("user_id", "valid_from", "id")
        .only("id", "user_id", "category", "valid_from")
    )
    for row in rows:
        if row.category == PersonCategoryKind.HARD_TO_EMPLOY:
            hard.setdefault(row.user_id, row)  # the earliest certification in force
        else:
            graduate[row.user_id] = row  # the latest leaving registration
    work = {
        w["worker_id"]: w
        for w in WorkOrder.objects.filter(
            worker_id__in=ids,
            status=WorkOrderStatus.SETTLED,
            work_date__gte=first_day,
            work_date__lte=last_day,
        )
        .values("worker_id")
        .annotate(days=Count("work_date", distinct=True), earnings=Sum("amount"))
    }
    contributions = {c.person_id: c for c in ContributionMonth.objects.filter(person_id__in=ids, month=month)}
    granted = Entitlement.objects.filter(person_id__in=ids, program_type=program)
    used = {
        g["person_id"]: g
        for g in granted.exclude(month=month).values("person_id").annotate(n=Count("id"), first=Min("month"))
    }
    this_month = set(granted.filter(month=month).values_list("person_id", flat=True))
    facts = {}
    for pk, person in people.items():
        row = hard.get(pk) or graduate.get(pk)
        w, c, u = work.get(pk, {}), contributions.get(pk), used.get(pk, {})
        facts[pk] = SocialInsuranceFacts(
            month=month,
            category=row.category if row else None,
            category_date=row.valid_from if row else None,
            category_row_id=row.pk if row else None,
            birth_date=person.birth_date,
            gender=person.gender or "",
            work_days=w.get("days") or 0,
            work_earnings=w.get("earnings") or Decimal("0"),
            pension_paid=c.pension_paid if c else None,
            medical_paid=c.medical_paid if c else None,
            contribution_base=c.base if c else None,
            contribution_row_id=c.pk if c else None,
            months_used=u.get("n") or 0,
            first_month=u.get("first"),
            month_already_granted=pk in this_month,
        )
    return facts


def social_insurance_facts(person, program: ProgramType, month: dt.date) -> SocialInsuranceFacts:
    return social_insurance_facts_many([person], program, month)[person.pk]


def accident_facts_many(people, program: ProgramType, year: int) -> dict[int, AccidentFacts]:
    """The year's facts for each of ``people``, by id, in three queries: the premium rows, the months and
    payers each person worked for (the registered employment record), and what was granted this year."""
    people = {p.pk: p for p in people}
    ids = list(people)
    premiums: dict[int, list] = {}
    for p in InsuredPremium.objects.filter(person_id__in=ids, month__year=year).order_by(
        "person_id", "month", "id"
    ):
        premiums.setdefault(p.person_id, []).append(p)
    worked: dict[int, set] = {}
    orders = (
        WorkOrder.objects.filter(worker_id__in=ids, status__in=WORKED, work_date__year=year)
        .values_list("worker_id", "work_date", "posting__employer_id")
        .distinct()
    )
    for worker_id, work_date, employer_id in orders:
        worked.setdefault(worker_id, set()).update({(work_date.month, employer_id), (work_date.month, None)})
    granted = dict(
        Entitlement.objects.filter(person_id__in=ids, program_type=program, month__year=year)
        .values("person_id")
        .annotate(total=Sum("amount"))
        .values_list("person_id", "total")
    )
    # and what their pending applications ask (``granted_this_year``, ADR 0037), so that two payers'
    # claims never pass the yearly cap together
    for person_id, asked in (
        Application.objects.filter(
            person_id__in=ids, program_type=program, period_start__year=year, status__in=PENDING_STATUSES
        )
        .values("person_id")
        .annotate(total=Sum(Coalesce("amount_approved", "amount_requested")))
        .values_list("person_id", "total")
    ):
        granted[person_id] = (granted.get(person_id) or Decimal("0")) + (asked or Decimal("0"))
    facts = {}
    for pk, person in people.items():
        rows = []
        for p in premiums.get(pk, ()):
            if p.payer_id is not None:
                record = (p.month.month, p.payer_id) in worked.get(pk, set())
            elif p.payer_kind == "person":
                record = (p.month.month, None) in worked.get(pk, set())
            else:
                record = None
            rows.append(
                PremiumRow(
                    row_id=p.pk,
                    payer_name=p.payer_name,
                    month=p.month,
                    premium=p.premium,
                    injury_covered=p.injury_covered,
                    is_manager=p.is_manager,
                    employment_record=record,
                )
            )
        facts[pk] = AccidentFacts(
            year=year,
            birth_date=person.birth_date,
            rows=tuple(rows),
            granted_this_year=granted.get(pk) or Decimal("0"),
        )
    return facts


def employment_record(person, payer_id: int | None, payer_kind: str, month: dt.date) -> bool | None:
    """A registered employment record in ``month``: a work order on one of the payer's postings (for a
    policy the person bought, any work order); ``None`` when the payer is not on the portal."""
    first_day, last_day = _month_bounds(month)
    orders = WorkOrder.objects.filter(
        worker=person, status__in=WORKED, work_date__gte=first_day, work_date__lte=last_day
    )
    if payer_id is not None:
        return orders.filter(posting__employer_id=payer_id).exists()
    if payer_kind == "person":
        return orders.exists()
    return None


# applications whose amount is not on record as an entitlement yet but may become one: the yearly cap
# counts them, so two agencies claiming for the same person never exceed it together (ADR 0037)
PENDING_STATUSES = ("submitted", "county_review", "city_review", "public_notice", "returned")


def granted_this_year(person, program: ProgramType, year: int, *, exclude_application=None) -> Decimal:
    """What the person has on record for the program in ``year`` (entitlements, every county and payer)
    plus what their pending applications ask (the approved figure once set, else the requested one)."""
    granted = Entitlement.objects.filter(person=person, program_type=program, month__year=year).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    pending = Application.objects.filter(
        person=person, program_type=program, period_start__year=year, status__in=PENDING_STATUSES
    )
    if exclude_application is not None:
        pending = pending.exclude(pk=exclude_application)
    asked = pending.aggregate(total=Sum(Coalesce("amount_approved", "amount_requested")))["total"]
    return granted + (asked or Decimal("0"))


def accident_facts(person, program: ProgramType, year: int) -> AccidentFacts:
    return accident_facts_many([person], program, year)[person.pk]


FACTS = {
    "flexible_social_insurance": lambda person, program, start: social_insurance_facts(
        person, program, start
    ),
    "gig_accident_insurance": lambda person, program, start: accident_facts(person, program, start.year),
}
# the same for many people at once (the proactive run): ``people`` → {id: facts}
FACTS_MANY = {
    "flexible_social_insurance": lambda people, program, start: social_insurance_facts_many(
        people, program, start
    ),
    "gig_accident_insurance": lambda people, program, start: accident_facts_many(people, program, start.year),
}


def parameter_for(program: ProgramType, day: dt.date, scope_unit_id: int | None) -> ProgramParameter | None:
    return ProgramParameter.objects.in_force(program, day, scope_unit_id).first()


def assess(person, program: ProgramType, day: dt.date, *, record: bool = True) -> Answer:
    """The program's answer for ``person`` for the period containing ``day`` (its payment cycle), under the
    parameter row in force on the period's first day for the person's county (the county's row first,
    then the city's). ``record`` stores the decision (in the site's language, a new row only when it
    changed)."""
    start, end = CYCLE[program.cycle_strategy](day)
    parameter = parameter_for(program, start, person.scope_unit_id)
    gather = FACTS.get(program.eligibility_strategy)
    facts = gather(person, program, start) if gather else None
    decision = _run(program, facts, parameter)
    answer = Answer(program, start, end, parameter, decision)
    if record:
        answer.stored = decision_record(person=person, answer=answer, facts=facts)
    return answer


def _run(program, facts, parameter) -> Decision:
    if parameter is None:
        d = Decision()
        d.need("parameter", _("本地还没有发布“%(program)s”的标准。") % {"program": program.name})
        return d
    return evaluate(program, facts, parameter.figures())


def _jsonable(value):
    if isinstance(value, Decimal | dt.date):
        return str(value)
    raise TypeError(type(value))


def _digest(decision: Decision, parameter) -> str:
    payload = {
        "eligible": decision.eligible,
        "amount": str(decision.amount) if decision.amount is not None else None,
        "figures": decision.figures,
        "reasons": decision.reasons,
        "needs": decision.needs,
        "parameter": parameter.pk if parameter else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=_jsonable).encode()).hexdigest()


def _decision_row(person_id, answer: Answer, decision: Decision, digest: str) -> EligibilityDecision:
    return EligibilityDecision(
        person_id=person_id,
        program_type=answer.program,
        parameter=answer.parameter,
        parameter_version=answer.parameter.version if answer.parameter else "",
        period_start=answer.period_start,
        period_end=answer.period_end,
        eligible=decision.eligible,
        amount=decision.amount,
        figures=json.loads(json.dumps(decision.figures, default=_jsonable)),
        reasons=[list(r) for r in decision.reasons],
        needs=[list(n) for n in decision.needs],
        digest=digest,
    )


def decision_record(*, person, answer: Answer, facts) -> EligibilityDecision:
    """Store the decision (figures, reasons and needs in the site's language) unless the latest one for the
    person, program and period says the same."""
    with translation.override(settings.LANGUAGE_CODE):
        decision = _run(answer.program, facts, answer.parameter)
    digest = _digest(decision, answer.parameter)
    latest = (
        EligibilityDecision.objects.filter(
            person=person, program_type=answer.program, period_start=answer.period_start
        )
        .order_by("-computed_at", "-id")
        .first()
    )
    if latest is not None and latest.digest == digest:
        return latest
    row = _decision_row(person.pk, answer, decision, digest)
    row.save(force_insert=True)
    return row


def assess_many(people, program: ProgramType, day: dt.date) -> tuple[dict[int, Answer], dict[int, Exception]]:
    """``assess`` for many people at once, in the site's language (the proactive run): their facts in a
    handful of queries (``FACTS_MANY``), each person's decision by the pure strategies under the parameter
    row of their county. Nothing is stored (``decisions_record_many`` stores the ones wanted). Returns the
    answers and the failures (person id → exception: that person is left out, the others go on)."""
    start, end = CYCLE[program.cycle_strategy](day)
    people = list(people)
    facts = FACTS_MANY[program.eligibility_strategy](people, program, start)
    parameters: dict = {}
    answers, failed = {}, {}
    with translation.override(settings.LANGUAGE_CODE):
        for person in people:
            unit = person.scope_unit_id
            if unit not in parameters:
                parameters[unit] = parameter_for(program, start, unit)
            try:
                decision = _run(program, facts[person.pk], parameters[unit])
            except Exception as exc:
                failed[person.pk] = exc
                continue
            answers[person.pk] = Answer(program, start, end, parameters[unit], decision)
    return answers, failed


def decisions_record_many(answers: dict[int, Answer]) -> None:
    """Store the decisions of ``answers`` (person id → answer, one program and period) as ``decision_record``
    does — a new row only where the latest says something else — in two queries; sets ``answer.stored``."""
    if not answers:
        return
    first = next(iter(answers.values()))
    latest = {}
    rows = (
        EligibilityDecision.objects.filter(
            person_id__in=list(answers), program_type=first.program, period_start=first.period_start
        )
        .order_by("person_id", "-computed_at", "-id")
        .only("id", "person_id", "digest")
    )
    for row in rows:
        latest.setdefault(row.person_id, row)
    new = []
    for person_id, answer in answers.items():
        digest = _digest(answer.decision, answer.parameter)
        known = latest.get(person_id)
        if known is not None and known.digest == digest:
            answer.stored = known
        else:
            answer.stored = _decision_row(person_id, answer, answer.decision, digest)
            new.append(answer.stored)
    EligibilityDecision.objects.bulk_create(new)


def offer_periods(program: ProgramType, today: dt.date) -> list[dt.date]:
    """The periods "what can I get" shows: for a monthly program the three months before this one (the
    social-insurance system confirms a month after it ends), otherwise the current period."""
    if program.cycle_strategy == "monthly":
        this = month_start(today)
        months, month = [], this
        for _i in range(3):
            month = (month - dt.timedelta(days=1)).replace(day=1)
            months.append(month)
        return months
    return [today]


def what_can_i_get(person, *, today: dt.date | None = None) -> list[tuple[ProgramType, list[Answer]]]:
    """Every program offered to workers, with the calculator's answers for the person's periods."""
    today = today or timezone.localdate()
    result = []
    for program in ProgramType.objects.filter(offered_to_workers=True).order_by("sort", "code"):
        answers = [assess(person, program, day) for day in offer_periods(program, today)]
        result.append((program, answers))
    return result
