"""Reads of the reports app: the catalogue (public) and the facts a person or a token may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Fact, Indicator


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("sort", "code")


def fact_list(*, user) -> QuerySet[Fact]:
    return Fact.objects.visible_to(user).select_related("indicator", "org_unit")
