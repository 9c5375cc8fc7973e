"""The market safety reports API (ADR 0027): anyone reports a hazard (throttled; anonymous reports also
limited per address by the service); staff list and read their county's reports (404 outside it), the
reporter their own; triage into an inspection, dismiss with a reason, and decide the inspection. The market's
operator sees none of them."""

from __future__ import annotations

from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.throttles import AnonRateThrottle, ScopedRateThrottle
from core.errors import NotFound
from core.masking import mask_name, mask_phone
from core.permissions import signed_in, token_may_read
from markets.choices import RISK_DECISIONS, CoordinateSystem, FindingResult
from markets.models import InspectionItem, Market

from ..choices import HazardKind
from ..filtersets import SafetyReportFilterSet
from ..models import SafetyReport
from ..permissions import sees_safety_reporter
from ..services import safety as safety_services

TAGS = ["disputes"]


class SafetyReportSerializer(serializers.ModelSerializer):
    """A report as staff in scope or its reporter read it: the contact masked, the photo by its checked URL."""

    market_name = serializers.CharField(source="market.name", read_only=True)
    contact = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = SafetyReport
        fields = [
            "id",
            "number",
            "market",
            "market_name",
            "scope_unit",
            "hazard_kind",
            "description",
            "spot",
            "lat",
            "lng",
            "photo_url",
            "contact",
            "status",
            "received_at",
            "inspection",
            "triaged_at",
            "dismiss_reason",
            "outcome",
            "concluded_at",
        ]
        read_only_fields = fields

    def _sees(self, obj) -> bool:
        return sees_safety_reporter(self.context["request"].user, obj)

    def get_contact(self, obj) -> dict | None:
        if not self._sees(obj):
            return None
        return {
            "account": bool(obj.reporter_id),
            "name": mask_name(obj.contact_name),
            "phone": mask_phone(obj.contact_phone),
        }

    def get_photo_url(self, obj) -> str:
        if not obj.photo or not self._sees(obj):
            return ""
        return reverse("disputes:safety_photo", args=[obj.pk])


class SafetyReportCreateSerializer(serializers.Serializer):
    market = serializers.PrimaryKeyRelatedField(queryset=Market.objects.all())
    hazard_kind = serializers.ChoiceField(choices=HazardKind.choices)
    description = serializers.CharField(max_length=2000)
    spot = serializers.CharField(max_length=120, required=False, allow_blank=True)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    coordinate_system = serializers.ChoiceField(
        choices=CoordinateSystem.choices, required=False, default=CoordinateSystem.WGS84
    )
    photo = serializers.FileField(required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class SafetyTriageSerializer(serializers.Serializer):
    inspected_on = serializers.DateField(required=False)
    inspector_names = serializers.CharField(max_length=200, required=False, allow_blank=True)
    findings = serializers.DictField(
        child=serializers.ChoiceField(choices=FindingResult.choices),
        required=False,
        help_text="检查项代码 → 结果（未列出的为合格）",
    )
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate_findings(self, value):
        items = {i.code: i for i in InspectionItem.objects.filter(is_active=True, code__in=list(value))}
        unknown = sorted(set(value) - set(items))
        if unknown:
            raise serializers.ValidationError(f"unknown items: {', '.join(unknown)}")
        return {items[code]: result for code, result in value.items()}


class SafetyDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class SafetyDecideSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a.value for a in RISK_DECISIONS])
    reason = serializers.CharField(max_length=300)
    rectify_deadline = serializers.DateField(required=False, allow_null=True)
    alternative = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SafetyReportPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if view.action == "create":
            return True  # anyone reports a hazard
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return token_may_read(request, view)
        return signed_in(request.user)


def _step(summary: str, request_serializer):
    return extend_schema(
        summary=summary, tags=TAGS, request=request_serializer, responses={200: SafetyReportSerializer}
    )


@extend_schema_view(
    list=extend_schema(summary="市场安全隐患报告（辖区工作人员；报告人本人的）", tags=TAGS),
    retrieve=extend_schema(summary="隐患报告详情", tags=TAGS),
    create=extend_schema(
        summary="报告市场安全隐患（任何人，可匿名；限流）",
        tags=TAGS,
        request={
            "multipart/form-data": SafetyReportCreateSerializer,
            "application/json": SafetyReportCreateSerializer,
        },
        responses={201: SafetyReportSerializer},
    ),
)
class SafetyReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SafetyReportSerializer
    permission_classes = [SafetyReportPermission]
    queryset = SafetyReport.objects.none()
    filterset_class = SafetyReportFilterSet
    filter_backends = [DjangoFilterBackend]
    throttle_scope = "safety_report"

    def get_throttles(self):
        if self.action == "create":
            return [AnonRateThrottle(), ScopedRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return (
            SafetyReport.objects.visible_to(self.request.user)
            .select_related("market")
            .order_by("-received_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        data = SafetyReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        report = safety_services.safety_report_receive(actor=request.user, request=request, **values)
        out = SafetyReportSerializer(report, context=self.get_serializer_context()).data
        if not signed_in(request.user):
            out = {"id": report.pk, "number": report.number, "status": report.status}
        return Response(out, status=status.HTTP_201_CREATED)

    def _run(self, request, step, serializer_class):
        report = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        report = step(report=report, actor=request.user, request=request, **data.validated_data)
        fresh = self.get_queryset().filter(pk=report.pk).first()
        if fresh is None:  # pragma: no cover - the actor just wrote it
            raise NotFound()
        return Response(SafetyReportSerializer(fresh, context=self.get_serializer_context()).data)

    @_step("转为对市场的安全检查（经 markets 服务登记检查并评定风险）", SafetyTriageSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        return self._run(request, safety_services.safety_report_triage, SafetyTriageSerializer)

    @_step("不予处理（须写明理由）", SafetyDismissSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._run(request, safety_services.safety_report_dismiss, SafetyDismissSerializer)

    @_step("处置检查（限期整改、暂停或取缔市场，公告）", SafetyDecideSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._run(request, safety_services.safety_report_decide, SafetyDecideSerializer)


ROUTES = [("safety-reports", SafetyReportViewSet, "safety-report")]
