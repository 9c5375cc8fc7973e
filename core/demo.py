"""The demo city is built app by app: each app's ``demo.seed(stdout)`` registers itself here from its
``AppConfig.ready()`` (a registry owned by ``core``, so that ``seed_demo`` imports no app). Seeders run in the
order of ``LOCAL_APPS``, each through its own app's services."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

_seeders: dict[str, Callable] = {}


def register(app_label: str, seed: Callable) -> None:
    """``seed(stdout=None)`` builds the app's demo data; it must be idempotent."""
    _seeders[app_label] = seed


def seeders() -> list[tuple[str, Callable]]:
    order = {label: i for i, label in enumerate(settings.LOCAL_APPS)}
    return sorted(_seeders.items(), key=lambda item: order.get(item[0], len(order)))
