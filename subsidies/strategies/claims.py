"""Programs whose figures arrive as claims made elsewhere: the training subsidy (claims created by the
training app, with their own calculation). For a person's "what can I get" it says where to claim; the review
of the claims is the application workflow's. The operator subsidy's strategies are ``operators``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .registry import Decision, register


@register("eligibility", "training_claim")
def training_claim(facts, params: dict, d: Decision) -> None:
    d.need(
        "training_claim",
        _("培训补贴按结业的培训班测算：参加目录内的职业技能培训并结业取证后，在“我的培训”中申领。"),
    )


@register("amount", "claim_amount")
def claim_amount(facts, params: dict, d: Decision) -> None:
    """The claim carries its own amount and calculation (training.services.eligibility)."""
