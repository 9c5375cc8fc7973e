"""Hooks another app registers with training (imports nothing of it): whether a claim may still be withdrawn.
The claim service reads them; ``training.interface`` re-exports the registration."""

from __future__ import annotations

_WITHDRAW_GUARDS: list = []


def register_withdraw_guard(hook) -> None:
    """Register ``hook(claim_id) -> str | None``: why the claim may not be withdrawn any more (its review
    has taken it up), or None."""
    if hook not in _WITHDRAW_GUARDS:
        _WITHDRAW_GUARDS.append(hook)


def withdraw_refusal(claim_id: int) -> str | None:
    """The first registered reason the claim may not be withdrawn (None: it may)."""
    for hook in _WITHDRAW_GUARDS:
        answer = hook(claim_id)
        if answer:
            return answer
    return None
