"""``{% intervention_panel case %}`` on the case page: the respondent's answer, the mediation sessions and the
agreement, and the complainant's steps (confirm receipt of the agreed payment, rate the handling). The
respondent gets only a link to their own page (``disputes:respondent_detail``), which shows what they may
read."""

from __future__ import annotations

from django import template

from ..choices import RATEABLE_STATUSES, MediationOutcome
from ..models import MediationRecord, RespondentAnswer, SatisfactionRating
from ..permissions import is_respondent, is_staff_viewer
from ..services import agreement_paid

register = template.Library()


@register.inclusion_tag("disputes/includes/_intervention.html", takes_context=True)
def intervention_panel(context, case):
    from ..views.intervention import RatingForm

    user = context["request"].user
    mine = bool(case.complainant_id and case.complainant_id == user.pk)
    if not (mine or is_staff_viewer(user, case)):
        return {"respondent_link": is_respondent(user, case), "case": case}
    answer = RespondentAnswer.objects.filter(case=case).prefetch_related("lines__claim").first()
    records = list(
        MediationRecord.objects.filter(case=case).select_related("payment").order_by("held_on", "id")
    )
    agreement = next((r for r in records if r.outcome == MediationOutcome.AGREEMENT), None)
    paid = agreement_paid(agreement) if agreement and agreement.is_agreement_to_pay else False
    rating = SatisfactionRating.objects.filter(case=case).first()
    may_rate = mine and rating is None and case.status in RATEABLE_STATUSES
    return {
        "case": case,
        "mine": mine,
        "answer": answer,
        "records": records,
        "agreement": agreement,
        "paid": paid,
        "may_confirm": mine and paid and agreement.receipt_confirmed_at is None,
        "rating": rating,
        "rating_form": RatingForm() if may_rate else None,
        "csrf_token": context.get("csrf_token"),
    }
