"""Programs whose figures arrive as claims made elsewhere: the training subsidy (claims created by the
training app, with their own calculation) and the gig-market operator subsidy (KPIs recomputed per market
and period). For a person's "what can I get" they say where to claim; the review of the claims is the
application workflow's (the next step of issue 17)."""

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


@register("eligibility", "operator_kpi")
def operator_kpi(facts, params: dict, d: Decision) -> None:
    d.need("kpi", _("零工市场运营补贴按市场和考核期重新统计的指标评分，由人社部门测算。"))


@register("amount", "kpi_score")
def kpi_score(facts, params: dict, d: Decision) -> None:
    """The recommended amount from the scoring scheme (next step)."""


@register("dedup", "market_period")
def market_period(facts, params: dict, d: Decision) -> None:
    d.reason("market_period", _("每个市场每个考核期只补贴一次。"))
