"""The occupation tree held per process (jobs.occupations, issue 6): no query on a warm read, a change made
here seen at once, one made by another process within a second, and a reload after ten minutes whatever."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from jobs import occupations
from jobs.models import Occupation

pytestmark = pytest.mark.django_db


def test_a_warm_read_runs_no_query(django_assert_num_queries):
    occupations.tree()
    with django_assert_num_queries(0):
        tree = occupations.tree()
    cleaner = tree.by_code["cleaner"]
    assert tree.by_id[cleaner.pk] is cleaner
    assert cleaner.parent is not None and cleaner.pk in tree.children[cleaner.parent_id]
    assert tree.family_ids(cleaner.parent)[0] == cleaner.parent_id


def test_a_change_in_this_process_is_seen_at_once():
    occupations.tree()
    parent = Occupation.objects.get(code="cleaner").parent
    Occupation.objects.create(code="glass_curtain_cleaner", name="幕墙清洗工", parent=parent)
    tree = occupations.tree()
    assert "glass_curtain_cleaner" in tree.by_code
    assert ("glass_curtain_cleaner", "幕墙清洗工") in tree.active_choices()


def test_a_change_by_another_process_is_seen_within_a_second(monkeypatch):
    occupations.tree()
    # another process renamed it without this process hearing the signal, and stamped a new version
    Occupation.objects.filter(code="cleaner").update(name="保洁员（新）")
    cache.set(occupations.VERSION_KEY, "another-process")
    assert occupations.tree().by_code["cleaner"].name != "保洁员（新）"  # trusted for a second
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + occupations.RECHECK_SECONDS + 0.1)
    assert occupations.tree().by_code["cleaner"].name == "保洁员（新）"


def test_a_bulk_update_without_a_stamp_is_seen_after_ten_minutes(monkeypatch):
    occupations.tree()
    Occupation.objects.filter(code="cleaner").update(name="保洁员（批量）")
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + occupations.RECHECK_SECONDS + 0.1)
    assert occupations.tree().by_code["cleaner"].name != "保洁员（批量）"
    monkeypatch.setattr(time, "monotonic", lambda: real() + occupations.MAX_AGE_SECONDS + 1)
    assert occupations.tree().by_code["cleaner"].name == "保洁员（批量）"
