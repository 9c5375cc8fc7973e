from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import selectors, services
from core.filtersets import AuditLogFilterSet, DivisionFilterSet, ScopeUnitFilterSet
from core.pagination import NewestFirstCursorPagination
from core.permissions import ModelPermission, PublicReadOnly

from .serializers import (
    AuditLogSerializer,
    DivisionSerializer,
    InboxMarkedSerializer,
    InboxMessageSerializer,
    ScopeUnitSerializer,
)


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


class InboxPagination(NewestFirstCursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="我的站内消息（本人，最新在前）", tags=["inbox"]),
    retrieve=extend_schema(summary="站内消息详情（本人）", tags=["inbox"]),
)
class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A signed-in person's own inbox: every notification they were sent lands here (ADR 0017). Another
    person's message is a 404; county systems' tokens have no inbox."""

    serializer_class = InboxMessageSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = InboxPagination
    filter_backends = []

    def get_queryset(self):
        return selectors.inbox_list(user=self.request.user)

    @extend_schema(
        summary="标为已读（本人的一条）", tags=["inbox"], request=None, responses={200: InboxMarkedSerializer}
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = get_object_or_404(self.get_queryset(), pk=pk)
        marked = services.inbox_mark_read(user=request.user, message_ids=[message.pk])
        return Response({"marked": marked, "unread": selectors.inbox_unread_count(user=request.user)})

    @extend_schema(
        summary="全部标为已读（本人）", tags=["inbox"], request=None, responses={200: InboxMarkedSerializer}
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = services.inbox_mark_read(user=request.user)
        return Response({"marked": marked, "unread": 0})
