"""Run a program's strategies over its facts: eligibility, then amount, then de-duplication."""

from __future__ import annotations

from .registry import AMOUNT, DEDUP, ELIGIBILITY, Decision


def evaluate(strategies, facts, params: dict) -> Decision:
    """``strategies`` names the codes (a ProgramType or anything with the four ``*_strategy`` attributes)."""
    d = Decision()
    ELIGIBILITY[strategies.eligibility_strategy](facts, params, d)
    AMOUNT[strategies.amount_strategy](facts, params, d)
    DEDUP[strategies.dedup_strategy](facts, params, d)
    if d.eligible is False and d.amount is not None:
        d.amount = d.amount.__class__("0.00")
    return d
