"""Keep the validity windows (ADR 0041) in the caller's transaction. Both are idempotent: a call that finds
the windows already matching the row's state writes nothing, so a retried save or transition is harmless.

A registration is **seeking** while it is not paused (``WorkerProfile.seeking``), its account is active and
it lists at least one available weekday; it
seeks in each occupation it has a skill in (or, with no skill, in no particular occupation). A posting is
**valid** while it is published."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..choices import PostingStatus
from ..models import Posting, PostingWindow, SeekerSpell, WorkerProfile


class EndReason:
    UNAVAILABLE = "unavailable"  # no available weekday left, or the account closed
    OCCUPATION_DROPPED = "occupation_dropped"  # the skill was removed from the registration


def seeking_occupations(profile: WorkerProfile) -> set[int | None] | None:
    """The occupations ``profile`` seeks work in now ({None} when it lists no skill), or None when it is not
    seeking at all."""
    if not profile.seeking or not profile.user.is_active or not (profile.available_days or "").strip():
        return None
    occupations = set(profile.skills.values_list("occupation_id", flat=True))
    return occupations or {None}


def seeker_spells_sync(profile: WorkerProfile, *, now: dt.datetime | None = None) -> tuple[int, int]:
    """Open a spell for each occupation the registration now seeks and has none open for, and close the open
    spells it no longer seeks. Returns (opened, closed)."""
    now = now or timezone.now()
    wanted = seeking_occupations(profile) or set()
    open_spells = {
        s.occupation_id: s for s in SeekerSpell.objects.filter(profile=profile, ended_at__isnull=True)
    }
    reason = EndReason.OCCUPATION_DROPPED if wanted else EndReason.UNAVAILABLE
    ending = [s.pk for occ, s in open_spells.items() if occ not in wanted]
    if ending:
        SeekerSpell.objects.filter(pk__in=ending).update(ended_at=now, end_reason=reason)
    new = [
        SeekerSpell(profile=profile, occupation_id=occ, started_at=now) for occ in wanted - set(open_spells)
    ]
    SeekerSpell.objects.bulk_create(new)
    return len(new), len(ending)


def posting_window_sync(posting: Posting, *, now: dt.datetime | None = None) -> None:
    """After a posting's transition: published → an open window (opened now, or at the first publication);
    anything else → its open window, if any, closed now with the new status as the reason."""
    now = now or timezone.now()
    current = PostingWindow.objects.filter(posting=posting, closed_at__isnull=True).first()
    if posting.status == PostingStatus.PUBLISHED:
        if current is None:
            PostingWindow.objects.create(posting=posting, opened_at=now)
    elif current is not None:
        current.closed_at, current.close_reason = max(now, current.opened_at), posting.status
        current.save(update_fields=["closed_at", "close_reason"])
