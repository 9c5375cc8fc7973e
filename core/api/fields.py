"""Serializer fields with the bounds the database has: an id is a bigint, a count fits an integer column."""

from __future__ import annotations

from rest_framework import serializers

from core.filtersets import MAX_ID

MAX_COUNT = 10_000_000  # people at a fair, pieces in a day: far below an integer column's limit


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class CountField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_COUNT)
        super().__init__(**kwargs)
