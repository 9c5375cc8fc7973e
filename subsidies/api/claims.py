"""Subsidies API: the employers' insured-list claims (ADR 0037) — read only, scoped: staff see their
county's employers' claims, an employer its own; uploads are the employer page's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from ..models import InsuredListClaim
from .permissions import SignedInRead


class InsuredListClaimSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.display_name", read_only=True)
    applications = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = InsuredListClaim
        fields = [
            "id",
            "employer",
            "employer_name",
            "payer_kind",
            "month",
            "file_name",
            "dry_run",
            "rows_total",
            "created_count",
            "identical_count",
            "conflict_count",
            "unknown_count",
            "invalid_count",
            "applications_count",
            "amount_total",
            "applications",
            "created_at",
        ]
        read_only_fields = fields


class InsuredListClaimDetailSerializer(InsuredListClaimSerializer):
    class Meta(InsuredListClaimSerializer.Meta):
        fields = [*InsuredListClaimSerializer.Meta.fields, "report", "people"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="意外伤害保险补贴申领（投保名单）", tags=["subsidies"]),
    retrieve=extend_schema(summary="投保名单申领详情及逐行结果", tags=["subsidies"]),
)
class InsuredListClaimViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [SignedInRead]
    queryset = InsuredListClaim.objects.all()

    def get_serializer_class(self):
        return InsuredListClaimDetailSerializer if self.action == "retrieve" else InsuredListClaimSerializer

    def get_queryset(self):
        return (
            InsuredListClaim.objects.visible_to(self.request.user)
            .select_related("employer")
            .prefetch_related("applications")
            .order_by("-created_at", "-id")
        )


ROUTES: list = [
    ("subsidy-insured-claims", InsuredListClaimViewSet, "subsidy-insured-claims"),
]
