"""Hooks the app that reviews and pays claims registers with training (which imports nothing of it), each
``hook(claim_id) -> str | None``: the claim's review status in plain words, and why the claim may not be
withdrawn any more. The claim page and the claim service read them; ``training.interface`` re-exports them."""

from __future__ import annotations

_STATUS_HOOKS: list = []
_WITHDRAW_GUARDS: list = []


def _register(hooks: list, hook) -> None:
    if hook not in hooks:
        hooks.append(hook)


def _first_answer(hooks: list, claim_id: int) -> str | None:
    for hook in hooks:
        answer = hook(claim_id)
        if answer:
            return answer
    return None


def register_review_status(hook) -> None:
    """Register the claim's review and payment status in plain words."""
    _register(_STATUS_HOOKS, hook)


def review_status(claim_id: int) -> str | None:
    """The first registered answer for the claim (None while no app has taken it)."""
    return _first_answer(_STATUS_HOOKS, claim_id)


def register_withdraw_guard(hook) -> None:
    """Register why the claim may not be withdrawn any more (its review has taken it up), or None."""
    _register(_WITHDRAW_GUARDS, hook)


def withdraw_refusal(claim_id: int) -> str | None:
    """The first registered reason the claim may not be withdrawn (None: it may)."""
    return _first_answer(_WITHDRAW_GUARDS, claim_id)
