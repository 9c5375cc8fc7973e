import django_filters

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
