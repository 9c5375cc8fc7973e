"""FilterSets of the statistics, shared by the API and the pages: month (YYYY-MM), county (GB/T 2260 code, or
"city" for the city-wide rows), occupation (code; a category includes its occupations)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.months import parse_month

from .models import SupplyDemandStat, WageGuidanceCell


class StatsFilterSet(django_filters.FilterSet):
    """month (YYYY-MM), county (GB/T 2260 code, or "city" for the city-wide rows), occupation (code; a
    category includes its occupations)."""

    month = django_filters.CharFilter(method="filter_month", label=_("月份（YYYY-MM）"))
    county = django_filters.CharFilter(method="filter_county", label=_("县（市、区）代码，city 为全市"))
    occupation = django_filters.CharFilter(method="filter_occupation", label=_("工种代码"))

    month_field = "month"

    def filter_month(self, qs, name, value):
        month = parse_month(value)
        if month is None:
            return qs.none()
        return qs.filter(**{self.month_field: month})

    def filter_county(self, qs, name, value):
        if value == "city":
            return qs.filter(scope_unit__isnull=True)
        return qs.filter(scope_unit__code=value)

    def filter_occupation(self, qs, name, value):
        return qs.filter(Q(occupation__code=value) | Q(occupation__parent__code=value))


class WageGuidanceFilterSet(StatsFilterSet):
    month_field = "guidance__month"

    class Meta:
        model = WageGuidanceCell
        fields = ["month", "county", "occupation"]


class SupplyDemandFilterSet(StatsFilterSet):
    class Meta:
        model = SupplyDemandStat
        fields = ["month", "county", "occupation"]
