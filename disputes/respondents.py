"""Whom a complainant may name online, from their own records (ADR 0032): a worker picks the employer of one of
their own work orders (the evidence bundle is then drawn from that order, ADR 0025); an employer picks the
market of one of their postings and, when the complaint is about a worker, one of their own work orders.
Selector-like: every read is scoped to the signed-in person's own rows, so an id from someone else's history
is simply not found (a field error on the form and in the API, never a 500). Anything else stays free text
(“其他用工方”)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.errors import DomainError
from core.masking import mask_name
from jobs.models import EmployerProfile
from markets.models import Market
from work.models import WorkOrder

WINDOW_DAYS = 180  # the evidence bundle's window too (services.bundle imports it from here)
MAX_CHOICES = 30  # the most recent orders offered on the form; older ones are named by free text


@dataclass(frozen=True)
class RespondentChoice:
    """One line of the list a complainant picks from: the work order and whom it names."""

    work_order_id: int
    employer_id: int
    label: str


def _since() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=WINDOW_DAYS)


def _is_worker(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.WORKER))


def _employer_of(user) -> EmployerProfile | None:
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.EMPLOYER):
        return None
    return EmployerProfile.objects.filter(user=user).first()


def worker_orders(user):
    """A worker's own work orders of the last ``WINDOW_DAYS`` (the bundle's window), newest first; ``None``
    for someone who is not a worker."""
    if not _is_worker(user):
        return None
    return (
        WorkOrder.objects.filter(worker=user, work_date__gte=_since())
        .select_related("posting", "posting__employer")
        .order_by("-work_date", "-id")
    )


def employer_orders(user):
    """An employer's own work orders (their postings' hires) of the same window; ``None`` for a non-employer."""
    employer = _employer_of(user)
    if employer is None:
        return None
    return (
        WorkOrder.objects.filter(posting__employer=employer, work_date__gte=_since())
        .select_related("posting", "worker")
        .order_by("-work_date", "-id")
    )


def respondent_choices(user) -> list[RespondentChoice]:
    """The employers a worker has worked for, one line per work order: employer · posting · date (status)."""
    orders = worker_orders(user)
    if orders is None:
        return []
    return [
        RespondentChoice(
            work_order_id=o.pk,
            employer_id=o.posting.employer_id,
            label=_("%(employer)s · %(posting)s · %(date)s（%(status)s）")
            % {
                "employer": o.posting.employer.display_name,
                "posting": o.posting.title,
                "date": f"{o.work_date:%Y-%m-%d}",
                "status": o.get_status_display(),
            },
        )
        for o in orders[:MAX_CHOICES]
    ]


def worker_choices(user) -> list[tuple[int, str]]:
    """An employer's own work orders, to name the worker a complaint is about: worker (masked) · posting ·
    date. The name is masked as everywhere in lists; the case stores it as the respondent's name."""
    orders = employer_orders(user)
    if orders is None:
        return []
    return [
        (
            o.pk,
            _("%(worker)s · %(posting)s · %(date)s")
            % {
                "worker": mask_name(o.worker.real_name) or _("劳动者"),
                "posting": o.posting.title,
                "date": f"{o.work_date:%Y-%m-%d}",
            },
        )
        for o in orders[:MAX_CHOICES]
    ]


def employer_markets(user):
    """The markets an employer's postings were published at (to name the market a complaint is about)."""
    employer = _employer_of(user)
    if employer is None:
        return Market.objects.none()
    return Market.objects.filter(postings__employer=employer).distinct().order_by("name")


def _refused(field: str) -> DomainError:
    message = _("只能从您本人的用工记录中选择。")
    return DomainError(message, code="not_yours", fields={field: [message]})


def own_work_order(user, pk) -> WorkOrder | None:
    """The work order ``pk`` when it is in the signed-in person's own history (as the worker, or as the
    employer of its posting); otherwise a field error on ``work_order``."""
    if pk in (None, ""):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _refused("work_order") from None
    worker = worker_orders(user)
    if worker is not None and (order := worker.filter(pk=pk).first()) is not None:
        return order
    employer = employer_orders(user)
    if employer is not None and (order := employer.filter(pk=pk).first()) is not None:
        return order
    raise _refused("work_order")


def own_respondent(user, pk) -> EmployerProfile | None:
    """The employer ``pk`` when the signed-in worker has worked for them (a work order in the window);
    otherwise a field error on ``respondent``."""
    if pk in (None, ""):
        return None
    orders = worker_orders(user)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _refused("respondent") from None
    if orders is None or not orders.filter(posting__employer_id=pk).exists():
        raise _refused("respondent")
    return EmployerProfile.objects.get(pk=pk)
