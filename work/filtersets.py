"""FilterSets of work and pay, shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy

from core.filtersets import IdFilter

from .choices import AppealOutcome, PaymentBackend, PaymentStatus, RatingDirection, WorkOrderStatus
from .models import Payment, Rating, WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="effective_status",
        choices=WorkOrderStatus.choices,
        label=gettext_lazy("状态（按实际状态）"),
    )
    posting = IdFilter(field_name="posting_id", label=gettext_lazy("招聘信息"))
    date_from = django_filters.DateFilter(
        field_name="work_date", lookup_expr="gte", label=gettext_lazy("工作日期起")
    )
    date_to = django_filters.DateFilter(
        field_name="work_date", lookup_expr="lte", label=gettext_lazy("工作日期止")
    )

    class Meta:
        model = WorkOrder
        fields = ["status", "posting", "date_from", "date_to"]


class PaymentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    backend = django_filters.ChoiceFilter(choices=PaymentBackend.choices)
    work_order = IdFilter(field_name="work_order_id")

    class Meta:
        model = Payment
        fields = ["status", "backend", "work_order"]


class RatingFilterSet(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(choices=RatingDirection.choices)
    appeal_outcome = django_filters.ChoiceFilter(choices=AppealOutcome.choices)
    work_order = IdFilter(field_name="work_order_id")
    ratee = IdFilter(field_name="ratee_id")

    class Meta:
        model = Rating
        fields = ["direction", "appeal_outcome", "work_order", "ratee"]
