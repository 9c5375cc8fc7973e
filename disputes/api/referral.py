"""The green channel in the API (ADR 0025): evidence bundles drawn from the work record (list, read with a
fresh hash check, build or rebuild before referral) and referrals with their stored packet (claim lines with
the final-award flags, the frozen bundle and its hash, evidence hashes, clocks, routing) and the outcome
staff record when it comes back. Signed-in staff of the case's county only: 404 outside it."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from core.permissions import signed_in

from .. import services
from ..models import Case, EvidenceBundle, Referral

TAGS = ["disputes"]


class StaffOnly(permissions.BasePermission):
    """A signed-in person (no county system's token: the packet names people)."""

    def has_permission(self, request, view):
        return signed_in(request.user)


class EvidenceBundleSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    verified = serializers.SerializerMethodField(
        help_text="the stored hash recomputed over the stored content"
    )

    class Meta:
        model = EvidenceBundle
        fields = ["id", "case", "case_number", "built_at", "frozen_at", "sha256", "verified", "content"]
        read_only_fields = fields

    def get_verified(self, obj) -> bool:
        return services.bundle_verify(obj)


class BundleBuildSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="the case's id")


class ReferralSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    verified = serializers.SerializerMethodField(
        help_text="the packet hash recomputed over the stored packet"
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "body",
            "referred_at",
            "packet_sha256",
            "verified",
            "external_case_number",
            "external_outcome",
            "outcome_recorded_at",
            "packet",
        ]
        read_only_fields = fields

    def get_verified(self, obj) -> bool:
        return services.referral_verify(obj)


class ReferralOutcomeSerializer(serializers.Serializer):
    external_case_number = serializers.CharField(max_length=60)
    external_outcome = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _scoped(model, user, perm: str):
    if not user.has_perm(perm):
        return model.objects.none()
    return model.objects.visible_to(user).select_related("case").order_by("-id")


@extend_schema_view(
    list=extend_schema(summary="用工记录证据包（辖区工作人员）", tags=TAGS),
    retrieve=extend_schema(summary="用工记录证据包详情（含重新计算的校验结果）", tags=TAGS),
    create=extend_schema(
        summary="从用工记录生成或在移送前重新生成证据包（已移送的已固定：409 bundle_frozen）",
        tags=TAGS,
        request=BundleBuildSerializer,
        responses={201: EvidenceBundleSerializer},
    ),
)
class EvidenceBundleViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EvidenceBundleSerializer
    permission_classes = [StaffOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["case"]
    queryset = EvidenceBundle.objects.none()

    def get_queryset(self):
        return _scoped(EvidenceBundle, self.request.user, "disputes.view_evidencebundle")

    def create(self, request, *args, **kwargs):
        data = BundleBuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = Case.objects.visible_to(request.user).filter(pk=data.validated_data["case"]).first()
        if case is None:
            raise NotFound()
        bundle = services.bundle_build(case=case, actor=request.user, request=request)
        return Response(EvidenceBundleSerializer(bundle).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="绿色通道移送（辖区工作人员）", tags=TAGS),
    retrieve=extend_schema(
        summary="移送材料（诉求及一裁终局标记、固定的证据包及其哈希、证据材料哈希、期限、分派规则）",
        tags=TAGS,
    ),
)
class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferralSerializer
    permission_classes = [StaffOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["case", "body"]
    queryset = Referral.objects.none()

    def get_queryset(self):
        return _scoped(Referral, self.request.user, "disputes.view_referral")

    @extend_schema(
        summary="登记移送结果（对方案件编号与处理结果）",
        tags=TAGS,
        request=ReferralOutcomeSerializer,
        responses={200: ReferralSerializer},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        referral = self.get_object()
        data = ReferralOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_record_outcome(
            referral=referral, actor=request.user, request=request, **data.validated_data
        )
        return Response(ReferralSerializer(referral).data)


ROUTES = [
    ("case-bundles", EvidenceBundleViewSet, "case-bundle"),
    ("case-referrals", ReferralViewSet, "case-referral"),
]
