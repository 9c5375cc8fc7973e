"""What the work pages share: status labels, parsing a step's input, how a day reads, each party's view of
a work order's payments and ratings."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.masking import mask_bank_account

from .. import selectors, services
from ..choices import PaymentBackend, PaymentStatus, RatingDirection, WorkOrderStatus
from ..forms import AppealForm, RatingForm


def label(orders) -> None:
    for order in orders:
        order.status_label = WorkOrderStatus(order.effective_status).label


def clean(form_class, data) -> dict:
    """The step's input, or a DomainError naming what was wrong (shown as a message; nothing changes)."""
    form = form_class(data)
    if form.is_valid():
        return form.cleaned_data
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    first = next(iter(errors.values()))[0]
    raise DomainError(first, fields=errors)


def day_word(day: dt.date, today: dt.date) -> str:
    """今天 / 明天 / the date, for a shift that starts soon."""
    if day == today:
        return _("今天")
    if day == today + dt.timedelta(days=1):
        return _("明天")
    return day.isoformat()


def payment_rows(order, *, viewer_is_worker: bool) -> list:
    """The order's payment attempts, each with what the viewer may see of the payee account."""
    rows = selectors.payments_of(order)
    for payment in rows:
        payment.account_shown = (
            payment.payee_account if viewer_is_worker else mask_bank_account(payment.payee_account)
        )
        payment.awaits_receipt = (
            payment.backend == PaymentBackend.OFFLINE
            and payment.status == PaymentStatus.SUCCEEDED
            and payment.worker_confirmed_at is None
        )
    return rows


def rating_context(order, status, *, mine: str, theirs: str, post=None, form=None, appeal_form=None) -> dict:
    """Ratings of an order from one party's side: the rating they gave (or, once the order is settled, the
    form to give it) and the one they received (with the appeal form while no appeal was made). The
    service also accepts a rating once the hours are approved (the API's rule); the pages ask after
    payment, when both sides know how it went."""
    ratings = selectors.ratings_of(order)
    given, received = ratings.get(mine), ratings.get(theirs)
    can_rate = status == WorkOrderStatus.SETTLED and given is None  # rated once paid (issue 13)
    if form is None and can_rate:
        form = RatingForm(tags=services.tag_values(mine))
    can_appeal = received is not None and not received.appeal_outcome and received.appealed_at is None
    if appeal_form is None and can_appeal:
        appeal_form = AppealForm()
    return {
        "rating_given": given,
        "rating_received": received,
        "rating_form": form if can_rate else None,
        "appeal_form": appeal_form if can_appeal else None,
    }


WORKER_SIDE = {"mine": RatingDirection.WORKER_TO_EMPLOYER, "theirs": RatingDirection.EMPLOYER_TO_WORKER}
EMPLOYER_SIDE = {"mine": RatingDirection.EMPLOYER_TO_WORKER, "theirs": RatingDirection.WORKER_TO_EMPLOYER}
