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


def social_insurance_facts(person, program: ProgramType, month: dt.date) -> SocialInsuranceFacts:
    month = month_start(month)
    first_day, last_day = _month_bounds(month)
    categories = PersonCategory.objects.filter(user=person, source=PersonCategorySource.STAFF_VERIFIED)
    hard = (
        categories.filter(category=PersonCategoryKind.HARD_TO_EMPLOY, valid_from__lte=last_day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first_day))
        .order_by("valid_from", "id")
        .first()
    )
    graduate = (
        categories.filter(category=PersonCategoryKind.GRADUATE, valid_from__lte=last_day)
        .order_by("-valid_from", "-id")
        .first()
    )
    row = hard or graduate
    work = WorkOrder.objects.filter(
        worker=person, status=WorkOrderStatus.SETTLED, work_date__gte=first_day, work_date__lte=last_day
    ).aggregate(days=Count("work_date", distinct=True), earnings=Sum("amount"))
    contribution = ContributionMonth.objects.filter(person=person, month=month).first()
    granted = Entitlement.objects.filter(person=person, program_type=program)
    used = granted.exclude(month=month).aggregate(n=Count("id"), first=Min("month"))
    return SocialInsuranceFacts(
        month=month,
        category=row.category if row else None,
        category_date=row.valid_from if row else None,
        category_row_id=row.pk if row else None,
        birth_date=person.birth_date,
        gender=person.gender or "",
        work_days=work["days"] or 0,
        work_earnings=work["earnings"] or Decimal("0"),
        pension_paid=contribution.pension_paid if contribution else None,
        medical_paid=contribution.medical_paid if contribution else None,
        contribution_base=contribution.base if contribution else None,
        contribution_row_id=contribution.pk if contribution else None,
        months_used=used["n"] or 0,
        first_month=used["first"],
        month_already_granted=granted.filter(month=month).exists(),
    )


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


def premium_row(person, p: InsuredPremium) -> PremiumRow:
    return PremiumRow(
        row_id=p.pk,
        payer_name=p.payer_name,
        month=p.month,
        premium=p.premium,
        injury_covered=p.injury_covered,
        is_manager=p.is_manager,
        employment_record=employment_record(person, p.payer_id, p.payer_kind, p.month),
    )


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
    premiums = InsuredPremium.objects.filter(person=person, month__year=year).order_by("month", "id")
    rows = [premium_row(person, p) for p in premiums]
    return AccidentFacts(
        year=year,
        birth_date=person.birth_date,
        rows=tuple(rows),
        granted_this_year=granted_this_year(person, program, year),
    )


FACTS = {
    "flexible_social_insurance": lambda person, program, start: social_insurance_facts(
        person, program, start
    ),
    "gig_accident_insurance": lambda person, program, start: accident_facts(person, program, start.year),
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


def decision_record(*, person, answer: Answer, facts) -> EligibilityDecision:
    """Store the decision (figures, reasons and needs in the site's language) unless the latest one for the
    person, program and period says the same."""
    with translation.override(settings.LANGUAGE_CODE):
        decision = _run(answer.program, facts, answer.parameter)
    payload = {
        "eligible": decision.eligible,
        "amount": str(decision.amount) if decision.amount is not None else None,
        "figures": decision.figures,
        "reasons": decision.reasons,
        "needs": decision.needs,
        "parameter": answer.parameter.pk if answer.parameter else None,
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=_jsonable).encode()).hexdigest()
    latest = (
        EligibilityDecision.objects.filter(
            person=person, program_type=answer.program, period_start=answer.period_start
        )
        .order_by("-computed_at", "-id")
        .first()
    )
    if latest is not None and latest.digest == digest:
        return latest
    return EligibilityDecision.objects.create(
        person=person,
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
