"""The named hooks through which apps to the right of ``jobs`` react to it or answer it (ADR 0012). Each is a
list owned here and filled by the right-hand app in its ``AppConfig.ready()``; ``jobs`` calls every entry,
inside the caller's transaction, and never imports the app that filled it. No model signals cross apps.

- ``HIRED``: ``(application, *, actor, request)`` after an application is accepted — ``work`` creates the
  work orders of the remaining work dates.
- ``HIRE_WITHDRAWN``: ``(application, *, actor, reason, request)`` after an accepted worker withdraws —
  ``work`` cancels their future work orders.
- ``WAGE_GUIDANCE_MEDIAN``: ``(*, occupation, scope_unit, on) -> Decimal | None`` — ``labour_stats`` answers
  with the published guidance median, which a posting's wage warning compares with (first answer wins).
- ``BLACKLIST_CHECKS``: ``(employer) -> bool`` — ``disputes`` answers whether the employer is on the
  wage-arrears blacklist (any True blocks publishing and fair booths).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

HIRED: list[Callable[..., None]] = []
HIRE_WITHDRAWN: list[Callable[..., None]] = []
WAGE_GUIDANCE_MEDIAN: list[Callable[..., Decimal | None]] = []
BLACKLIST_CHECKS: list[Callable[..., bool]] = []


def hired(application, *, actor, request=None) -> None:
    for hook in HIRED:
        hook(application, actor=actor, request=request)


def hire_withdrawn(application, *, actor, reason: str = "", request=None) -> None:
    for hook in HIRE_WITHDRAWN:
        hook(application, actor=actor, reason=reason, request=request)


def wage_guidance_median(*, occupation, scope_unit=None, on: dt.date | None = None) -> Decimal | None:
    for hook in WAGE_GUIDANCE_MEDIAN:
        answer = hook(occupation=occupation, scope_unit=scope_unit, on=on)
        if answer is not None:
            return answer
    return None


def employer_blacklisted(employer) -> bool:
    return any(check(employer) for check in BLACKLIST_CHECKS)
