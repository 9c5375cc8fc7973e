"""Panels on the staff dashboard (the admin index). Each app registers its own panels, which read through
scoped selectors, so the dashboard itself imports no app (the import direction stays core -> apps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    rows: list[dict] = field(default_factory=list)  # {"text": ..., "url": ..., "note": ...}
    empty: str = ""
    level: str = "info"  # "info" or "warning"


_panels: list[Callable] = []


def register_panel(func: Callable) -> Callable:
    """``func(user) -> Panel | None``; None hides the panel for that user."""
    _panels.append(func)
    return func


def panels_for(user) -> list[Panel]:
    out = []
    for func in _panels:
        panel = func(user)
        if panel is not None:
            out.append(panel)
    return out
