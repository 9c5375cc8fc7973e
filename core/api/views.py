from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core import selectors
from core.filtersets import AuditLogFilterSet, DivisionFilterSet, ScopeUnitFilterSet
from core.pagination import NewestFirstCursorPagination
from core.permissions import ModelPermission, PublicReadOnly

from .serializers import AuditLogSerializer, DivisionSerializer, ScopeUnitSerializer


@extend_schema_view(
    list=extend_schema(summary="行政区划（GB/T 2260）", tags=["reference"]),
    retrieve=extend_schema(summary="行政区划详情", tags=["reference"]),
)
class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative divisions: public reference data."""

    queryset = selectors.division_list()
    serializer_class = DivisionSerializer
    permission_classes = [PublicReadOnly]
    filterset_class = DivisionFilterSet
    lookup_field = "code"
    ordering_fields = ["code"]


@extend_schema_view(
    list=extend_schema(summary="管辖单位（县市区及功能区）", tags=["reference"]),
    retrieve=extend_schema(summary="管辖单位详情", tags=["reference"]),
)
class ScopeUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The city's scope units: public reference data (counties and functional zones)."""

    queryset = selectors.scope_unit_list()
    serializer_class = ScopeUnitSerializer
    permission_classes = [PublicReadOnly]
    filterset_class = ScopeUnitFilterSet
    lookup_field = "code"
    pagination_class = None


@extend_schema_view(
    list=extend_schema(summary="审计日志（审计员，管辖范围内）", tags=["audit"]),
    retrieve=extend_schema(summary="审计日志详情", tags=["audit"]),
)
class AuditLogViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditLogSerializer
    permission_classes = [ModelPermission]
    filterset_class = AuditLogFilterSet
    pagination_class = NewestFirstCursorPagination
    ordering_fields = None
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return selectors.audit_log_list(user=self.request.user)
