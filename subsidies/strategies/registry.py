"""The four registries of strategy codes and the ``Decision`` every strategy writes into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ELIGIBILITY: dict[str, Callable] = {}
AMOUNT: dict[str, Callable] = {}
DEDUP: dict[str, Callable] = {}
CYCLE: dict[str, Callable] = {}
KINDS = {"eligibility": ELIGIBILITY, "amount": AMOUNT, "dedup": DEDUP, "cycle": CYCLE}

CENT = Decimal("0.01")


def register(kind: str, code: str):
    """Decorator: ``@register("eligibility", "flexible_social_insurance")``."""

    def decorate(func):
        table = KINDS[kind]
        if code in table:
            raise ValueError(f"{kind} strategy {code!r} is registered twice")
        table[code] = func
        return func

    return decorate


def yuan(value) -> Decimal:
    """Money to the cent, half up (as the bank and the finance bureau round)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Decision:
    """What the strategies found. ``eligible`` is True, False (something refused) or None (``needs`` names
    the missing data). ``reasons`` are (rule code, plain words) for every rule applied, in order;
    ``refused`` and ``needs`` hold (code, words) of the rules that refused or lacked data; ``figures`` every
    intermediate figure by name."""

    amount: Decimal | None = None
    figures: dict = field(default_factory=dict)
    reasons: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    needs: list[tuple[str, str]] = field(default_factory=list)

    def figure(self, name: str, value) -> None:
        self.figures[name] = value

    def reason(self, code: str, text: str) -> None:
        self.reasons.append((code, str(text)))

    def refuse(self, code: str, text: str) -> None:
        self.refused.append((code, str(text)))
        self.reason(code, text)

    def need(self, code: str, text: str) -> None:
        self.needs.append((code, str(text)))
        self.reason(code, text)

    @property
    def eligible(self) -> bool | None:
        if self.refused:
            return False
        if self.needs:
            return None
        return True

    @property
    def refused_codes(self) -> set[str]:
        return {code for code, _text in self.refused}

    @property
    def need_codes(self) -> set[str]:
        return {code for code, _text in self.needs}
