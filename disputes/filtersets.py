"""The FilterSet of cases, shared by the API and the staff pages: status, queue, channel, county, the
deadline state (on time / due soon / overdue, on the queue's annotation) and a ``q`` search."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import selectors
from .choices import (
    BlacklistBasis,
    BlacklistStatus,
    CaseStatus,
    Channel,
    DeadlineState,
    HazardKind,
    Queue,
    SafetyReportStatus,
)
from .models import BlacklistEntry, Case, SafetyReport


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("关键词（编号、被投诉方、工单号）"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    queue = django_filters.ChoiceFilter(choices=Queue.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    county = django_filters.CharFilter(field_name="scope_unit__code", label="county")
    deadline = django_filters.ChoiceFilter(
        method="by_deadline", choices=DeadlineState.choices, label=gettext_lazy("办理时限")
    )

    class Meta:
        model = Case
        fields = ["q", "status", "queue", "channel", "county", "deadline"]

    def by_deadline(self, queryset, name, value):
        """The deadline state of the nearest running clock (``selectors.deadline_q``: EXISTS on the running
        clocks, not a filter on the per-row annotation)."""
        if value not in DeadlineState.values:
            return queryset
        return queryset.filter(selectors.deadline_q(value, timezone.now()))

    def search(self, queryset, name, value):
        value = (value or "").strip()[:50]
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(respondent_name__icontains=value) | Q(external_ticket_id=value)
        )


class BlacklistEntryFilterSet(django_filters.FilterSet):
    """The arrears blacklist: today's status (listed / lifted / expired), basis, county, and a ``q`` search."""

    q = django_filters.CharFilter(method="search", label=gettext_lazy("关键词（用工方、文书编号）"))
    status = django_filters.ChoiceFilter(
        method="by_status", choices=BlacklistStatus.choices, label=gettext_lazy("状态")
    )
    basis = django_filters.ChoiceFilter(choices=BlacklistBasis.choices)
    county = django_filters.CharFilter(field_name="employer__scope_unit__code", label="county")

    class Meta:
        model = BlacklistEntry
        fields = ["q", "status", "basis", "county"]

    def search(self, queryset, name, value):
        value = (value or "").strip()[:50]
        if not value:
            return queryset
        return queryset.filter(
            Q(employer__display_name__icontains=value)
            | Q(decision_number=value)
            | Q(payment_order_number=value)
        )

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == BlacklistStatus.LISTED:
            return queryset.in_force(today)
        if value == BlacklistStatus.LIFTED:
            return queryset.filter(lifted_at__isnull=False)
        if value == BlacklistStatus.EXPIRED:
            return queryset.filter(lifted_at__isnull=True, listed_until__lt=today)
        return queryset


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
