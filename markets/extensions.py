"""Panels that apps to the right of ``markets`` add to a market's public page and its information board
(ADR 0012's named registries): each provider is ``func(market, *, board: bool) -> MarketPanel | None``,
registered in the providing app's ``AppConfig.ready()``. ``markets`` (and the board in ``jobs``) call every
provider and never import the app that registered it. ``training`` lists its sign-up points, classrooms and
upcoming classes at the market."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class MarketPanel:
    title: str
    rows: list[dict] = field(default_factory=list)  # {"text": ..., "note": ..., "url": ...}
    empty: str = ""


MARKET_PANELS: list[Callable[..., MarketPanel | None]] = []


def register_panel(func: Callable[..., MarketPanel | None]) -> Callable[..., MarketPanel | None]:
    MARKET_PANELS.append(func)
    return func


def panels_for(market, *, board: bool = False) -> list[MarketPanel]:
    panels = []
    for func in MARKET_PANELS:
        panel = func(market, board=board)
        if panel is not None:
            panels.append(panel)
    return panels
