"""The proactive offer (免申即享): nobody has to know a subsidy exists to get it. A monthly task (or city staff)
starts a run; the run finds, from the portal's own records, everyone who could be eligible for each program
offered to workers in each of its periods (``candidates``: a superset — every rule that can only pass with a
record on file is a filter), runs the calculator on each (``eligibility.assess``, the decision stored with
its figures and reasons) and, for each person it finds eligible with an amount, creates one ``Offer`` and
tells them once. A second run, a retried task or an overlapping beat offers and tells nobody twice: one
offer per person, program and period (a unique constraint), and the notification's key names the offer.

Which records make a person a candidate, per eligibility strategy:

- ``flexible_social_insurance`` (a month): a contribution month confirmed by the social-insurance system
  for that month **and** a staff-verified category (hard-to-employ in force in the month, or a graduate
  certified by its end), **and**, where the county's parameter row asks for flexible work on the portal
  (a minimum of days or earnings), a settled work order in the month. Without them the calculator answers
  "unknown", never "yes".
- ``gig_accident_insurance`` (a year): an insured-list premium row in the year. Without one: "unknown".

Programs whose eligibility is not a person's (training claims come from the training app, the operator
subsidy is a market's) are not offered.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.models import ScopeUnit
from core.queue import enqueue
from jobs.choices import PersonCategoryKind, PersonCategorySource
from jobs.models import PersonCategory
from jobs.notifications import notify_many
from work.choices import WorkOrderStatus
from work.models import WorkOrder

from ..choices import ACTIVE_RUN_STATUSES, OfferStatus, RunStatus
from ..models import (
    OFFER_RUN_WORKFLOW,
    OFFER_WORKFLOW,
    ContributionMonth,
    InsuredPremium,
    Offer,
    OfferEvent,
    OfferRun,
    ProgramType,
)
from ..strategies import CYCLE
from .applications import application_submit
from .eligibility import assess_many, decisions_record_many, offer_periods, parameter_for

logger = logging.getLogger("lingong.subsidies")

RUN_PERMISSION = "subsidies.add_offerrun"
CHUNK = 1000
REPORT_ROWS = 500


# --- who could be eligible ---------------------------------------------------------------------------------


def _needs_work(parameter) -> bool:
    """Whether the parameter row makes a settled work order in the month necessary: its flexible-work rule
    asks for at least one day or more than nothing earned (``strategies.social_insurance``: short of both the
    answer is "unknown", never an offer). No row, or no requirement: not necessary."""
    if parameter is None:
        return False
    figures = parameter.figures()
    days, earnings = figures.get("min_work_days"), figures.get("min_work_earnings")
    if days is None and earnings is None:
        return False
    return (days is None or days >= 1) and (earnings is None or Decimal(earnings) > 0)


def _social_insurance_candidates(program: ProgramType, start: dt.date, end: dt.date):
    verified = PersonCategory.objects.filter(source=PersonCategorySource.STAFF_VERIFIED)
    hard = verified.filter(category=PersonCategoryKind.HARD_TO_EMPLOY, valid_from__lte=end).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    graduate = verified.filter(category=PersonCategoryKind.GRADUATE, valid_from__lte=end)
    contributed = ContributionMonth.objects.filter(month=start).values("person_id")
    people = User.objects.filter(pk__in=contributed).filter(
        Q(pk__in=hard.values("user_id")) | Q(pk__in=graduate.values("user_id"))
    )
    # Where the county's row asks for flexible work on the portal, someone with no settled work order in
    # the month cannot be offered: not a candidate (on L four in five of the others; the calculator would
    # answer "unknown — needs other evidence" for each of them).
    exempt = [u.pk for u in ScopeUnit.objects.all() if not _needs_work(parameter_for(program, start, u.pk))]
    worked = WorkOrder.objects.filter(
        status=WorkOrderStatus.SETTLED, work_date__gte=start, work_date__lte=end
    ).values("worker_id")
    may_qualify = Q(pk__in=worked) | Q(scope_unit_id__in=exempt)
    if not _needs_work(parameter_for(program, start, None)):
        may_qualify |= Q(scope_unit__isnull=True)
    return people.filter(may_qualify).values_list("pk", flat=True)


def _accident_candidates(program: ProgramType, start: dt.date, end: dt.date):
    insured = InsuredPremium.objects.filter(month__gte=start, month__lte=end).values("person_id")
    return User.objects.filter(pk__in=insured).values_list("pk", flat=True)


CANDIDATES = {
    "flexible_social_insurance": _social_insurance_candidates,
    "gig_accident_insurance": _accident_candidates,
}


def offered_programs():
    return [
        p
        for p in ProgramType.objects.filter(offered_to_workers=True).order_by("sort", "code")
        if p.eligibility_strategy in CANDIDATES
    ]


def candidates(program: ProgramType, day: dt.date) -> list[int]:
    """The people who could be eligible for ``program`` in the period containing ``day`` and have no offer
    for it yet, by id."""
    start, end = CYCLE[program.cycle_strategy](day)
    ids = CANDIDATES[program.eligibility_strategy](program, start, end)
    already = Offer.objects.filter(program_type=program, period_start=start).values("person_id")
    return list(ids.exclude(pk__in=already).order_by("pk"))


def work_list(as_of: dt.date) -> list[tuple[ProgramType, dt.date, list[int]]]:
    """(program, a day of the period, candidate ids) for every program offered and each of its periods
    that "what can I get" shows on ``as_of``."""
    return [
        (program, day, candidates(program, day))
        for program in offered_programs()
        for day in offer_periods(program, as_of)
    ]


# --- making offers -----------------------------------------------------------------------------------------


def _tell_many(offers) -> None:
    notify_many(
        (
            offer.person_id,
            _("您可能符合“%(program)s”（%(start)s 至 %(end)s，测算约 %(amount)s 元），无需另行申请，请确认。")
            % {
                "program": offer.program_type.name,
                "start": offer.period_start,
                "end": offer.period_end,
                "amount": offer.amount,
            },
            reverse("subsidies:offer", args=[offer.pk]),
            f"subsidy-offer:{offer.pk}",
        )
        for offer in offers
    )


def offers_make(*, people, program: ProgramType, day: dt.date, run: OfferRun | None = None):
    """Run the calculator for ``people`` (users) for the period containing ``day`` (``assess_many``: a
    handful of queries for the lot), store the decisions of those eligible with an amount, create their
    offers and tell each (in the caller's transaction). Returns (offers made, failures: person id →
    exception). People with an offer for the period already get nothing (a concurrent run, or one made
    since the candidates were listed)."""
    answers, failed = assess_many(people, program, day)
    wanted = {pk: a for pk, a in answers.items() if a.eligible is True and a.amount}
    if not wanted:
        return [], failed
    start = next(iter(wanted.values())).period_start
    taken = set(
        Offer.objects.filter(
            program_type=program, period_start=start, person_id__in=list(wanted)
        ).values_list("person_id", flat=True)
    )
    wanted = {pk: a for pk, a in wanted.items() if pk not in taken}
    decisions_record_many(wanted)
    now = timezone.now()
    rows = [
        Offer(
            person_id=pk,
            program_type=program,
            period_start=a.period_start,
            period_end=a.period_end,
            decision=a.stored,
            amount=a.amount,
            run=run,
            notified_at=now,
        )
        for pk, a in wanted.items()
    ]
    try:
        with transaction.atomic():
            made = Offer.objects.bulk_create(rows)
    except IntegrityError:
        # one of them was offered in between: one by one, skipping those
        made = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            made.append(row)
    OfferEvent.objects.bulk_create(
        [OfferEvent(offer=o, from_status="", to_status=OfferStatus.OFFERED, actor=None, at=now) for o in made]
    )
    _tell_many(made)  # one notification per offer, in a handful of queries for the lot
    return made, failed


def offer_for(*, person, program: ProgramType, day: dt.date, run: OfferRun | None = None) -> Offer | None:
    """``offers_make`` for one person: their offer, or None (not eligible, or offered already)."""
    made, failed = offers_make(people=[person], program=program, day=day, run=run)
    if failed:
        raise failed[person.pk]
    return made[0] if made else None


# --- the run ------------------------------------------------------------------------------------------------


def offer_run_start(*, actor=None, as_of: dt.date | None = None, request=None) -> OfferRun:
    """Queue a run (city staff, or the monthly task with no actor) and its task, enqueued on commit.
    Refused while another run is queued or running."""
    if actor is not None and (
        not getattr(actor, "is_authenticated", False) or not actor.has_perm(RUN_PERMISSION)
    ):
        raise NotPermitted(_("只有市级补贴工作人员可以发起免申即享测算。"))
    if OfferRun.objects.filter(status__in=ACTIVE_RUN_STATUSES).exists():
        raise _already_running()
    try:
        with transaction.atomic():
            run = OfferRun.objects.create(started_by=actor, as_of=as_of or timezone.localdate())
            OFFER_RUN_WORKFLOW.record(run, to_status=RunStatus.QUEUED, actor=actor)
            if actor is not None:
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    obj=run,
                    after={"as_of": str(run.as_of)},
                    request=request,
                )
            enqueue("subsidies.tasks.offer_run_task", run_id=run.pk)
    except IntegrityError:
        raise _already_running() from None
    return run


def _already_running() -> DomainError:
    return DomainError(_("已有一次免申即享测算正在进行，请等它完成。"), code="offer_run_running")


def offer_run_run(*, run_id: int) -> OfferRun | None:
    """Run a queued run: list the work, then the candidates in chunks of ``CHUNK`` people of one program
    and period (``offers_make``), each chunk one transaction that also stores the progress (people
    checked, errors so far, offers made), so the staff page shows it while the run goes on. A person whose
    check fails is counted and reported; the run goes on. Safe to run twice: only a queued run starts."""
    with transaction.atomic():
        run = OFFER_RUN_WORKFLOW.lock(run_id)
        if run.status != RunStatus.QUEUED:
            return None
        run.started_at = timezone.now()
        OFFER_RUN_WORKFLOW.move(run, RunStatus.RUNNING, actor=None, fields=["started_at"])
    try:
        work = work_list(run.as_of)
    except Exception as exc:  # the run records why it stopped
        logger.exception("offer run %s failed", run.pk)
        return _fail(run, _("测算中断：%(error)s") % {"error": exc.__class__.__name__})
    total = sum(len(ids) for _program, _day, ids in work)
    OfferRun.objects.filter(pk=run.pk).update(rows_total=total)
    report, offered, errors, done = [], 0, 0, 0
    for program, day, ids in work:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            people = list(
                User.objects.filter(pk__in=chunk).only("id", "birth_date", "gender", "scope_unit_id")
            )
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        made, failed = offers_make(people=people, program=program, day=day, run=run)
                except Exception as exc:  # the chunk's failure is reported; the run goes on
                    logger.exception("offer run %s: chunk of %s", run.pk, program.code)
                    made, failed = [], dict.fromkeys(chunk, exc)
                errors += len(failed)
                offered += len(made)
                done += len(chunk)
                for person_id, exc in failed.items():
                    report.append(
                        {
                            "person": person_id,
                            "program": program.code,
                            "day": str(day),
                            "error": exc.__class__.__name__,
                        }
                    )
                for offer in made:
                    if len(report) < REPORT_ROWS:
                        report.append(
                            {
                                "person": offer.person_id,
                                "program": program.code,
                                "period": str(offer.period_start),
                                "amount": str(offer.amount),
                            }
                        )
                OfferRun.objects.filter(pk=run.pk).update(
                    rows_done=done, errors=errors, offered_count=offered, report=report
                )
    with transaction.atomic():
        run = OFFER_RUN_WORKFLOW.lock(run.pk)
        run.finished_at = timezone.now()
        OFFER_RUN_WORKFLOW.move(
            run,
            RunStatus.DONE,
            actor=None,
            fields=["finished_at"],
            audit={"checked": total, "offered": offered, "errors": errors},
        )
    return run


def _fail(run, message: str) -> OfferRun:
    with transaction.atomic():
        run = OFFER_RUN_WORKFLOW.lock(run.pk)
        run.failure = message
        run.finished_at = timezone.now()
        OFFER_RUN_WORKFLOW.move(
            run, RunStatus.FAILED, actor=None, reason=message, fields=["failure", "finished_at"]
        )
    return run


def offer_run_monthly() -> OfferRun | None:
    """The monthly task: start a run as of today, unless one is running."""
    try:
        return offer_run_start(actor=None)
    except DomainError:
        return None


# --- the person answers -------------------------------------------------------------------------------------


def _lock_own(offer_id: int, person) -> Offer:
    # the person's own offers only: another's is a 404, as is one that does not exist
    return OFFER_WORKFLOW.lock(offer_id, queryset=Offer.objects.filter(person=person))


def offer_decline(*, offer_id: int, person, actor, request=None) -> Offer:
    """The person (or a counter acting for them: ``actor`` is the counter, recorded as acting on their
    behalf) declines the offer. Only an offer still awaiting an answer can be declined."""
    with transaction.atomic():
        offer = _lock_own(offer_id, person)
        offer.answered_at = timezone.now()
        OFFER_WORKFLOW.move(
            offer,
            OfferStatus.DECLINED,
            actor=actor,
            on_behalf_of=person if actor.pk != person.pk else None,
            fields=["answered_at"],
            request=request,
        )
    return offer


def offer_confirm(*, offer_id: int, person, actor, request=None) -> Offer:
    """The person (or a counter acting for them) confirms the offer: it becomes their application, submitted
    through the application services (the calculator's answer now pre-fills the amount, the de-duplication
    checks run; a refusal there leaves the offer as it was)."""
    with transaction.atomic():
        offer = _lock_own(offer_id, person)
        OFFER_WORKFLOW.check(offer.status, OfferStatus.CONFIRMED)
        application = application_submit(
            actor=actor, person=person, program=offer.program_type, day=offer.period_start, request=request
        )
        offer.application = application
        offer.answered_at = timezone.now()
        OFFER_WORKFLOW.move(
            offer,
            OfferStatus.CONFIRMED,
            actor=actor,
            on_behalf_of=person if actor.pk != person.pk else None,
            fields=["application", "answered_at"],
            request=request,
        )
    return offer
