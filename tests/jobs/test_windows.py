"""Validity windows (ADR 0041) kept by the services: a registration's seeking spells open on registration,
close when it pauses or drops an occupation, reopen when it resumes; a posting's window opens on publication,
closes when it is filled or closed and a new one opens when it is republished. Repeats write nothing. The
data migration opens the windows of existing rows."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from core.models import AuditLog
from jobs import services
from jobs.choices import PostingStatus
from jobs.models import POSTING_WORKFLOW, PostingEvent, PostingWindow, SeekerSpell, WorkerProfile

from .factories import make_worker, occupation, published_posting

pytestmark = pytest.mark.django_db


def spells(user):
    return list(
        SeekerSpell.objects.filter(profile__user=user)
        .order_by("started_at", "pk")
        .values_list("occupation__code", "ended_at", "end_reason")
    )


def open_spells(user):
    return sorted(
        code or ""
        for code in SeekerSpell.objects.filter(profile__user=user, ended_at__isnull=True).values_list(
            "occupation__code", flat=True
        )
    )


def test_registration_opens_a_spell_per_occupation_sought(county_a):
    user = make_worker(unit=county_a, skills=(("cleaner", "skilled", 3), ("electrician", "skilled", 1)))
    assert open_spells(user) == ["cleaner", "electrician"]
    started = set(SeekerSpell.objects.filter(profile__user=user).values_list("started_at", flat=True))
    assert len(started) == 1


def test_a_registration_without_skills_seeks_in_no_particular_occupation(county_a):
    user = make_worker(unit=county_a, skills=())
    assert SeekerSpell.objects.get(profile__user=user).occupation_id is None
    services.worker_profile_save(
        user=user, actor=user, data={}, skills=[(occupation("cleaner"), "skilled", 1)]
    )
    assert open_spells(user) == ["cleaner"]
    assert (
        SeekerSpell.objects.get(profile__user=user, occupation__isnull=True).end_reason
        == "occupation_dropped"
    )


def test_saving_again_unchanged_writes_no_spell(county_a):
    user = make_worker(unit=county_a)
    before = list(SeekerSpell.objects.values_list("pk", "started_at", "ended_at"))
    services.worker_profile_save(user=user, actor=user, data={"max_distance_km": 20})
    services.worker_profile_save(
        user=user, actor=user, data={}, skills=[(occupation("cleaner"), "skilled", 3)]
    )
    assert list(SeekerSpell.objects.values_list("pk", "started_at", "ended_at")) == before


def test_dropping_an_occupation_closes_its_spell_only(county_a):
    user = make_worker(unit=county_a, skills=(("cleaner", "skilled", 3), ("electrician", "skilled", 1)))
    services.worker_profile_save(
        user=user, actor=user, data={}, skills=[(occupation("cleaner"), "skilled", 3)]
    )
    assert open_spells(user) == ["cleaner"]
    closed = SeekerSpell.objects.get(profile__user=user, occupation__code="electrician")
    assert closed.ended_at is not None and closed.end_reason == "occupation_dropped"


def test_pause_closes_resume_reopens_and_repeats_are_idempotent(county_a):
    user = make_worker(unit=county_a)
    services.worker_seeking_set(user=user, actor=user, seeking=False)
    services.worker_seeking_set(user=user, actor=user, seeking=False)  # a retry
    assert WorkerProfile.objects.get(user=user).seeking is False
    assert open_spells(user) == []
    ((code, ended_at, reason),) = spells(user)
    assert (code, reason) == ("cleaner", "unavailable") and ended_at is not None
    services.worker_seeking_set(user=user, actor=user, seeking=True)
    services.worker_seeking_set(user=user, actor=user, seeking=True)
    assert open_spells(user) == ["cleaner"]
    assert len(spells(user)) == 2  # the closed spell stays as history
    # audited once per change, not per call
    logs = AuditLog.objects.filter(object_id=str(WorkerProfile.objects.get(user=user).pk)).order_by("pk")
    changes = [log.after for log in logs if log.after in ({"seeking": False}, {"seeking": True})]
    assert changes == [{"seeking": False}, {"seeking": True}]


def test_a_paused_registration_stays_paused_when_edited(county_a):
    user = make_worker(unit=county_a)
    services.worker_seeking_set(user=user, actor=user, seeking=False)
    services.worker_profile_save(user=user, actor=user, data={"max_distance_km": 30})
    assert open_spells(user) == []


def test_posting_windows_follow_publication_fill_republish_and_close(county_a):
    posting = published_posting(scope_unit=county_a)
    (window,) = PostingWindow.objects.filter(posting=posting)
    assert window.closed_at is None and window.opened_at == posting.published_at

    locked = POSTING_WORKFLOW.lock(posting.pk)
    services.posting_move(locked, PostingStatus.FILLED, actor=None, reason="test")
    window.refresh_from_db()
    assert window.closed_at is not None and window.close_reason == PostingStatus.FILLED

    locked = POSTING_WORKFLOW.lock(posting.pk)
    services.posting_move(locked, PostingStatus.PUBLISHED, actor=None, reason="test")
    assert PostingWindow.objects.filter(posting=posting).count() == 2
    assert PostingWindow.objects.filter(posting=posting, closed_at__isnull=True).count() == 1

    services.posting_close(posting=posting, actor=posting.employer.user)
    assert not PostingWindow.objects.filter(posting=posting, closed_at__isnull=True).exists()
    assert PostingWindow.objects.filter(posting=posting).order_by("-opened_at")[0].close_reason == "closed"
    # a second sync finds nothing to do
    posting.refresh_from_db()
    services.posting_window_sync(posting)
    assert PostingWindow.objects.filter(posting=posting).count() == 2


def test_data_migration_opens_windows_for_existing_rows(county_a):
    """Rows from before the windows: the migration opens a spell from registration for each seeker (none for
    an unavailable one) and rebuilds the posting windows from the status events."""
    seeker = make_worker(unit=county_a)
    idle = make_worker(unit=county_a)
    registered = dt.datetime(2025, 1, 5, tzinfo=dt.UTC)
    WorkerProfile.objects.filter(user=seeker).update(created_at=registered)
    WorkerProfile.objects.filter(user=idle).update(available_days="")
    posting = published_posting(scope_unit=county_a)
    PostingEvent.objects.create(
        posting=posting,
        from_status=PostingStatus.PUBLISHED,
        to_status=PostingStatus.FILLED,
        at=posting.published_at + dt.timedelta(days=2),
    )
    SeekerSpell.objects.all().delete()
    PostingWindow.objects.all().delete()

    migration = importlib.import_module("jobs.migrations.0006_open_validity_windows")
    migration.forwards(apps, None)

    (spell,) = SeekerSpell.objects.all()
    assert (spell.profile.user_id, spell.started_at, spell.ended_at) == (seeker.pk, registered, None)
    (window,) = PostingWindow.objects.filter(posting=posting)
    assert window.opened_at == PostingEvent.objects.get(posting=posting, to_status="published").at
    assert (window.closed_at, window.close_reason) == (posting.published_at + dt.timedelta(days=2), "filled")
