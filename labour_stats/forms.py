"""The statistics pages' filter choices (the FilterSets validate what comes back)."""

from __future__ import annotations

from core.models import ScopeUnit
from jobs.models import Occupation

FILTER_PARAMETERS = ("month", "county", "occupation")


def filter_choices(request) -> dict:
    """Counties, occupations and the values chosen, for the filter form of the statistics pages."""
    return {
        "counties": ScopeUnit.objects.filter(is_active=True).order_by("code"),
        "occupations": Occupation.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("parent__sort", "sort", "code"),
        "selected": {k: request.GET.get(k, "") for k in FILTER_PARAMETERS},
    }
