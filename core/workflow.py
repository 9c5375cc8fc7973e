"""Transition tables: one per workflow, checked by the one service per transition."""

from __future__ import annotations

from collections.abc import Mapping, Set

from django.utils.translation import gettext as _

from .errors import InvalidTransition


def check_transition(table: Mapping[str, Set[str]], current: str, target: str) -> None:
    """Raise InvalidTransition (409) unless ``current -> target`` is in ``table``."""
    if target not in table.get(current, frozenset()):
        raise InvalidTransition(
            _("不能从“%(current)s”变为“%(target)s”。") % {"current": current, "target": target}
        )
