"""Pages of the proactive offer (免申即享): the offer a worker was sent — the program, the period, the
amount and the calculator's reasons — with "confirm" (it becomes their application) and "decline". At a
counter the staff member answers for the worker they serve (recorded as acting on their behalf)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from jobs.views.counter import acting_context, acting_worker

from ..models import Offer
from ..services import offers as services
from .programs import _figure_rows


def _own_offer(worker, pk: int) -> Offer:
    offer = Offer.objects.filter(person=worker, pk=pk).select_related("program_type", "decision").first()
    if offer is None:
        raise Http404
    return offer


@login_required
def offer_detail(request, pk: int):
    worker, _assisted = acting_worker(request)
    offer = _own_offer(worker, pk)
    context = {
        "offer": offer,
        "figure_rows": _figure_rows(offer.decision.figures),
        **acting_context(request),
    }
    return render(request, "subsidies/offer.html", context)


@login_required
@require_POST
def offer_answer(request, pk: int, answer: str):
    worker, _assisted = acting_worker(request)
    offer = _own_offer(worker, pk)
    try:
        if answer == "confirm":
            services.offer_confirm(offer_id=offer.pk, person=worker, actor=request.user, request=request)
            messages.success(request, _("已确认申请，工作人员审核后会通知您。"))
        else:
            services.offer_decline(offer_id=offer.pk, person=worker, actor=request.user, request=request)
            messages.success(request, _("已放弃本次补贴。"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("subsidies:offer", pk=offer.pk)


urlpatterns = [
    path("offers/<int:pk>/", offer_detail, name="offer"),
    path("offers/<int:pk>/confirm/", offer_answer, {"answer": "confirm"}, name="offer_confirm"),
    path("offers/<int:pk>/decline/", offer_answer, {"answer": "decline"}, name="offer_decline"),
]
