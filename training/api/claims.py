"""Training API: subsidy claims (the person's own, their institution's, the county's; create, submit,
withdraw), the calculator for one enrollment, and the public outcomes per provider."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.throttles import AnonRateThrottle
from core.errors import DomainError, NotFound
from core.filtersets import IdFilter
from core.months import parse_month
from core.permissions import PublicReadOnly

from ..choices import ClaimantKind, ClaimStatus, InstitutionStatus
from ..interface import verify_evidence
from ..models import Enrollment, OutcomeCohort, TrainingClaim
from ..services import claims as claim_services
from ..services.eligibility import assess_enrollment, need_labels
from ..services.outcomes import min_completers
from .permissions import SignedInPermission

# --- filters ------------------------------------------------------------------------------------------------


class TrainingClaimFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    claimant_kind = django_filters.ChoiceFilter(choices=ClaimantKind.choices)
    institution = IdFilter(field_name="enrollment__training_class__institution_id", label=_("培训机构"))

    class Meta:
        model = TrainingClaim
        fields = ["status", "claimant_kind", "institution"]


class OutcomeFilterSet(django_filters.FilterSet):
    institution = IdFilter(field_name="institution_id", label=_("培训机构"))
    item = django_filters.CharFilter(field_name="item__code", label=_("培训目录编码"))
    cohort = django_filters.CharFilter(method="filter_cohort", label=_("结业月份（YYYY-MM）"))

    class Meta:
        model = OutcomeCohort
        fields = ["institution", "item", "cohort"]

    def filter_cohort(self, queryset, name, value):
        month = parse_month(value)
        if month is None:
            raise DomainError(_("月份格式应为 YYYY-MM。"), fields={"cohort": [_("月份格式应为 YYYY-MM。")]})
        return queryset.filter(cohort_month=month)


# --- serializers --------------------------------------------------------------------------------------------


class TrainingClaimSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="enrollment.worker_id", read_only=True)
    training_class = serializers.IntegerField(source="enrollment.training_class_id", read_only=True)
    item = serializers.CharField(source="enrollment.training_class.item.code", read_only=True)
    evidence_verified = serializers.SerializerMethodField()

    class Meta:
        model = TrainingClaim
        fields = [
            "id",
            "enrollment",
            "person",
            "training_class",
            "item",
            "claimant_kind",
            "status",
            "amount",
            "rule_version",
            "calculation",
            "evidence",
            "evidence_sha256",
            "evidence_verified",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_evidence_verified(self, obj) -> bool:
        return verify_evidence(obj)


class ClaimCreateSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ClaimWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class AssessmentSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    eligible = serializers.BooleanField(allow_null=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    reasons = ReasonSerializer(many=True)
    refused = serializers.ListField(child=serializers.CharField())
    needs = serializers.ListField(child=serializers.CharField())
    need_labels = serializers.ListField(child=serializers.CharField())
    figures = serializers.JSONField()


class OutcomeSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    suppressed = serializers.SerializerMethodField()

    class Meta:
        model = OutcomeCohort
        fields = [
            "id",
            "institution",
            "item",
            "cohort_month",
            "completers",
            "certified",
            "worked_3m",
            "worked_6m",
            "earnings_known_before",
            "earnings_known_after",
            "median_daily_before",
            "median_daily_after",
            "suppressed",
            "computed_at",
        ]
        read_only_fields = fields

    def get_suppressed(self, obj) -> bool:
        return obj.completers < min_completers()

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if data["suppressed"]:  # small cells: counts of completers only
            for name in (
                "certified",
                "worked_3m",
                "worked_6m",
                "earnings_known_before",
                "earnings_known_after",
                "median_daily_before",
                "median_daily_after",
            ):
                data[name] = None
        return data


# --- views --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="培训补贴申领（本人的、本机构代为申领的；工作人员和县级系统为辖区内的）", tags=["training"]
    ),
    retrieve=extend_schema(summary="培训补贴申领详情（测算明细、佐证材料及校验）", tags=["training"]),
    create=extend_schema(
        summary="申领培训补贴（已结业并取得证书；本人或培训机构代为申领；不符合条件返回 400 及规则）",
        tags=["training"],
        request=ClaimCreateSerializer,
        responses={201: TrainingClaimSerializer, 200: TrainingClaimSerializer},
    ),
)
class TrainingClaimViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingClaimSerializer
    permission_classes = [SignedInPermission]
    filterset_class = TrainingClaimFilterSet
    queryset = TrainingClaim.objects.none()

    def get_queryset(self):
        return (
            TrainingClaim.objects.visible_to(self.request.user)
            .select_related("enrollment__training_class__item")
            .order_by("-created_at", "-id")
        )

    def _enrollment(self, pk):
        enrollment = (
            Enrollment.objects.visible_to(self.request.user)
            .select_related("training_class__item__occupation", "training_class__institution", "worker")
            .filter(pk=pk)
            .first()
        )
        if enrollment is None:
            raise NotFound()
        return enrollment

    def create(self, request, *args, **kwargs):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = self._enrollment(data.validated_data["enrollment"])
        existed = TrainingClaim.objects.filter(enrollment=enrollment).exists()
        claim = claim_services.claim_create(enrollment=enrollment, actor=request.user, request=request)
        return Response(
            TrainingClaimSerializer(claim).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="提交申领（申领人）",
        tags=["training"],
        request=None,
        responses={200: TrainingClaimSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        claim = claim_services.claim_submit(claim=self.get_object(), actor=request.user, request=request)
        return Response(TrainingClaimSerializer(claim).data)

    @extend_schema(
        summary="撤回申领（申领人；撤回后不再计入次数）",
        tags=["training"],
        request=ClaimWithdrawSerializer,
        responses={200: TrainingClaimSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = ClaimWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = claim_services.claim_withdraw(
            claim=self.get_object(), actor=request.user, reason=data.validated_data["reason"], request=request
        )
        return Response(TrainingClaimSerializer(claim).data)

    @extend_schema(
        summary="补贴测算（某次结业能否申领、金额、每一步的数字和规则；缺少数据时返回需要补充的内容）",
        tags=["training"],
        parameters=[OpenApiParameter("enrollment", int, required=True, description="enrollment id")],
        responses={200: AssessmentSerializer},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def assess(self, request):
        raw = request.query_params.get("enrollment", "")
        if not raw.isdigit() or not 0 < int(raw) < 2**63:
            raise DomainError(_("请指定报名记录。"), fields={"enrollment": [_("请填写有效的编号。")]})
        enrollment = self._enrollment(int(raw))
        answer = assess_enrollment(enrollment)
        body = {
            "enrollment": enrollment.pk,
            "eligible": answer.eligible,
            "amount": answer.amount,
            "reasons": [{"code": c, "text": t} for c, t in answer.reasons],
            "refused": list(answer.refused),
            "needs": list(answer.needs),
            "need_labels": need_labels(answer.needs),
            "figures": answer.as_json(),
        }
        return Response(AssessmentSerializer(body).data)


@extend_schema_view(
    list=extend_schema(
        summary="培训成效（按机构、项目、结业月份；结业人数较少时只公开人数）",
        tags=["training"],
    ),
    retrieve=extend_schema(summary="培训成效详情", tags=["training"]),
)
class OutcomeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OutcomeSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    filterset_class = OutcomeFilterSet
    queryset = OutcomeCohort.objects.none()

    def get_queryset(self):
        return (
            OutcomeCohort.objects.filter(institution__status=InstitutionStatus.FILED)
            .select_related("item")
            .order_by("institution_id", "item_id", "-cohort_month")
        )


# (prefix, viewset, basename) registered on the /api/v1/ router by training.api.routes
ROUTES: list = [
    ("training-claims", TrainingClaimViewSet, "training-claim"),
    ("training-outcomes", OutcomeViewSet, "training-outcome"),
]
