"""The occupation tree (工种, about a hundred rows, changed by staff a few times a year) held in each process.

Search filters and matching ask for occupations on every request; reading them from this copy saves a query
per request. A version stamp in the shared cache (Redis in deployments) tells every process when staff have
changed a row: saving or deleting an occupation stamps a new version, and each process reloads on its next
read. Rows are Occupation instances with ``parent`` filled, so callers can use them as usual."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Occupation

VERSION_KEY = "jobs:occupation-tree:version"
RECHECK_SECONDS = 1.0  # how long a process trusts its copy before asking the shared cache again
MAX_AGE_SECONDS = 600.0  # and reloads it anyway (a bulk update or raw SQL sends no signal)


@dataclass(frozen=True)
class OccupationTree:
    version: str
    loaded_at: float = 0.0
    by_id: dict[int, Occupation] = field(default_factory=dict)
    by_code: dict[str, Occupation] = field(default_factory=dict)
    children: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def family_ids(self, occupation: Occupation) -> list[int]:
        """The occupation and, for a category, its occupations (what a search for it matches)."""
        return [occupation.pk, *self.children.get(occupation.pk, ())]

    def active_choices(self) -> list[tuple[str, str]]:
        rows = sorted((o for o in self.by_id.values() if o.is_active), key=lambda o: (o.sort, o.code))
        return [(o.code, o.name) for o in rows]


_lock = threading.Lock()
_current: OccupationTree | None = None
_checked_at = 0.0


def tree() -> OccupationTree:
    """The current tree: at most one cache read a second, and a query only after a change. A change made in
    this process is seen at once; one made in another process within ``RECHECK_SECONDS``."""
    global _current, _checked_at
    now = time.monotonic()
    current = _current
    if current is not None and now - _checked_at < RECHECK_SECONDS:
        return current
    _checked_at = now
    version = cache.get(VERSION_KEY)
    if version is None:
        version = stamp()
    current = _current
    if current is not None and current.version == version and now - current.loaded_at < MAX_AGE_SECONDS:
        return current
    with _lock:
        rows = list(Occupation.objects.all())
        by_id = {o.pk: o for o in rows}
        children: dict[int, list[int]] = {}
        for o in rows:
            o.parent = by_id.get(o.parent_id) if o.parent_id else None
            if o.parent_id:
                children.setdefault(o.parent_id, []).append(o.pk)
        _current = OccupationTree(
            version=version,
            loaded_at=time.monotonic(),
            by_id=by_id,
            by_code={o.code: o for o in rows},
            children={k: tuple(sorted(v)) for k, v in children.items()},
        )
        return _current


def stamp() -> str:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    return version


def forget() -> None:
    """Drop this process's copy (after a change here, and in tests that roll back occupations)."""
    global _current
    _current = None


@receiver(post_save, sender=Occupation)
@receiver(post_delete, sender=Occupation)
def _changed(**kwargs) -> None:
    forget()
    stamp()
    transaction.on_commit(stamp)  # and again once committed, so no process keeps a row read mid-transaction
    transaction.on_commit(forget)
