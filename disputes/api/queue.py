"""The staff queue of the API: the open cases of the reader's staff scope (county or city), nearest deadline
first, filtered by deadline state (on time / due soon / overdue), queue, status, channel, county or ``q``.
One row per case with what a queue shows — the nearest running clock (stored on the case, ADR 0031), its
state, the claim lines' count and total, the respondent — and no complainant data (the detail,
/api/v1/cases/{id}/, masks it). Three queries per page whatever its size: the reader, the count and the page
(issue 16's benchmark)."""

from __future__ import annotations

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets

from core.permissions import token_may_read
from core.scope import scope_of

from .. import selectors
from ..choices import ClockKind, DeadlineState
from ..filtersets import CaseFilterSet
from ..models import Case


class StaffQueuePermission(permissions.BasePermission):
    """Readers with a staff scope (county or city staff, auditors, county systems by token)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated or request.method not in permissions.SAFE_METHODS:
            return False
        return token_may_read(request, view) and not scope_of(user).is_empty


class CaseQueueRowSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    respondent = serializers.CharField(source="respondent_display", read_only=True)
    claims_count = serializers.IntegerField(read_only=True, default=0)
    claims_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True, default=None
    )
    deadline_kind = serializers.SerializerMethodField()
    deadline_at = serializers.DateTimeField(source="next_due_at", read_only=True, allow_null=True)
    deadline_state = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "county",
            "channel",
            "status",
            "queue",
            "relationship_type",
            "received_at",
            "respondent",
            "claims_count",
            "claims_amount",
            "deadline_kind",
            "deadline_at",
            "deadline_state",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=ClockKind.choices, allow_null=True))
    def get_deadline_kind(self, obj) -> str | None:
        return obj.next_due_kind or None

    @extend_schema_field(serializers.ChoiceField(choices=DeadlineState.choices))
    def get_deadline_state(self, obj) -> str:
        return selectors.deadline_state_of(obj, self.context["now"])


@extend_schema_view(
    list=extend_schema(
        summary="工作人员待办队列（辖区内未办结的案件，最近期限在前；可按办理时限筛选：未到期、即将到期、已超期）",
        tags=["disputes"],
    )
)
class CaseQueueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseQueueRowSerializer
    permission_classes = [StaffQueuePermission]
    filterset_class = CaseFilterSet
    filter_backends = [DjangoFilterBackend]
    queryset = Case.objects.none()

    def get_queryset(self):
        return selectors.staff_queue(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


ROUTES = [("case-queue", CaseQueueViewSet, "case-queue")]
