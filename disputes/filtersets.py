"""The FilterSet of cases, shared by the API and the staff pages: status, queue, channel, county, the
deadline state (on time / due soon / overdue, on the queue's annotation) and a ``q`` search."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy

from .choices import CaseStatus, Channel, DeadlineState, HazardKind, Queue, SafetyReportStatus
from .models import Case, SafetyReport


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("关键词（编号、被投诉方、工单号）"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    queue = django_filters.ChoiceFilter(choices=Queue.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    county = django_filters.CharFilter(field_name="scope_unit__code", label="county")
    deadline = django_filters.ChoiceFilter(
        field_name="deadline_state", choices=DeadlineState.choices, label=gettext_lazy("办理时限")
    )

    class Meta:
        model = Case
        fields = ["q", "status", "queue", "channel", "county", "deadline"]

    def search(self, queryset, name, value):
        value = (value or "").strip()[:50]
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(respondent_name__icontains=value) | Q(external_ticket_id=value)
        )


class SafetyReportFilterSet(django_filters.FilterSet):
    """Market safety reports (ADR 0027): status, hazard kind, market, county and a ``q`` search."""

    q = django_filters.CharFilter(method="search", label=gettext_lazy("关键词（编号、市场）"))
    status = django_filters.ChoiceFilter(choices=SafetyReportStatus.choices)
    hazard_kind = django_filters.ChoiceFilter(choices=HazardKind.choices)
    market = django_filters.NumberFilter(field_name="market_id")
    county = django_filters.CharFilter(field_name="scope_unit__code", label="county")

    class Meta:
        model = SafetyReport
        fields = ["q", "status", "hazard_kind", "market", "county"]

    def search(self, queryset, name, value):
        value = (value or "").strip()[:50]
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(market__name__icontains=value))
