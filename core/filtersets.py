import django_filters
from django import forms

from .models import AuditLog, Division, ScopeUnit


class DivisionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label="q")
    parent = django_filters.CharFilter(field_name="parent_id")

    class Meta:
        model = Division
        fields = ["level", "parent"]


class ScopeUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label="q")

    class Meta:
        model = ScopeUnit
        fields = ["kind", "is_active"]


class AuditLogFilterSet(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="scope_unit__code", label="county")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditLog
        fields = ["action", "object_id"]


MAX_ID = 2**63 - 1  # a bigint


class IdFilter(django_filters.NumberFilter):
    """A filter by a row's id: a whole number from 1 to a bigint's maximum (anything else is a field error,
    never a query the database refuses)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
