"""The arrears blacklist API (ADR 0026): ``blacklist-entries`` for staff of the employer's county (404 outside
it), listing an employer (POST, ``blacklist_list``) and lifting early (``lift``, multipart with the written
promise). Responsible persons are masked; errors in the one shape."""

from __future__ import annotations

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.permissions import signed_in, token_may_read
from jobs.models import EmployerProfile

from .. import services
from ..choices import BlacklistBasis
from ..filtersets import BlacklistEntryFilterSet
from ..models import BlacklistEntry, BlacklistPerson
from ..services.blacklist import lift_possible_from

TAGS = ["disputes"]


class BlacklistPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="masked_name", read_only=True)
    id_number = serializers.CharField(source="masked_id_number", read_only=True)

    class Meta:
        model = BlacklistPerson
        fields = ["role", "name", "id_number"]
        read_only_fields = fields


class BlacklistEntrySerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.display_name", read_only=True)
    uscc = serializers.SerializerMethodField()
    county = serializers.CharField(source="employer.scope_unit.code", read_only=True)
    status = serializers.SerializerMethodField()
    lift_possible_from = serializers.SerializerMethodField()
    persons = BlacklistPersonSerializer(many=True, read_only=True)

    class Meta:
        model = BlacklistEntry
        fields = [
            "id",
            "employer",
            "employer_name",
            "uscc",
            "county",
            "basis",
            "payment_order_number",
            "payment_order_deadline",
            "amount_unpaid",
            "threshold_amount",
            "incident_description",
            "decision_number",
            "decided_on",
            "listed_from",
            "listed_until",
            "lift_possible_from",
            "status",
            "lifted_at",
            "lift_reason",
            "wages_paid_on",
            "persons",
        ]
        read_only_fields = fields

    def get_uscc(self, obj) -> str:
        organization = obj.employer.organization
        return organization.uscc if organization else ""

    def get_status(self, obj) -> str:
        return obj.status_on(timezone.localdate())

    def get_lift_possible_from(self, obj) -> str:
        return lift_possible_from(obj).isoformat()


class BlacklistPersonInputSerializer(serializers.Serializer):
    role = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")


class BlacklistListSerializer(serializers.Serializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=EmployerProfile.objects.all())
    basis = serializers.ChoiceField(choices=BlacklistBasis.choices)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    decision_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    payment_order_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    payment_order_deadline = serializers.DateField(required=False, allow_null=True, default=None)
    amount_unpaid = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    incident_description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    persons = BlacklistPersonInputSerializer(many=True)


class BlacklistLiftSerializer(serializers.Serializer):
    wages_paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    promise = serializers.FileField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class BlacklistPermission(permissions.BasePermission):
    """People need the view permission of their role (staff, auditors); county systems their token's."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if not signed_in(request.user):
            return request.method in permissions.SAFE_METHODS and token_may_read(request, view)
        return request.user.has_perm("disputes.view_blacklistentry")


@extend_schema_view(
    list=extend_schema(summary="拖欠农民工工资失信名单（辖区内的；可按状态筛选）", tags=TAGS),
    retrieve=extend_schema(summary="失信名单记录", tags=TAGS),
    create=extend_schema(
        summary="列入失信名单（用工方所在县工作人员；按决定日期适用的数额标准审查，期限 3 年）",
        tags=TAGS,
        request=BlacklistListSerializer,
        responses={201: BlacklistEntrySerializer},
    ),
)
class BlacklistEntryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BlacklistEntrySerializer
    permission_classes = [BlacklistPermission]
    filterset_class = BlacklistEntryFilterSet
    filter_backends = [DjangoFilterBackend]
    queryset = BlacklistEntry.objects.none()

    def get_queryset(self):
        return (
            BlacklistEntry.objects.visible_to(self.request.user)
            .select_related("employer__organization", "employer__scope_unit")
            .prefetch_related("persons")
            .order_by("-listed_from", "-id")
        )

    def _out(self, entry, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=entry.pk)
        return Response(
            BlacklistEntrySerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        data = BlacklistListSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.blacklist_list(actor=request.user, request=request, **data.validated_data)
        return self._out(entry, status.HTTP_201_CREATED)

    @extend_schema(
        summary="提前移出（须工资已全额支付、列入满 6 个月、提交书面信用修复承诺书；未满 6 个月 409 too_early）",
        tags=TAGS,
        request={"multipart/form-data": BlacklistLiftSerializer},
        responses={200: BlacklistEntrySerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def lift(self, request, pk=None):
        entry = self.get_object()
        data = BlacklistLiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.blacklist_lift(entry=entry, actor=request.user, request=request, **data.validated_data)
        return self._out(entry)


ROUTES = [("blacklist-entries", BlacklistEntryViewSet, "blacklist-entries")]
