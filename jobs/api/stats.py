"""Public statistics API: wage guidance prices (published months only; suppressed cells were never stored)
and supply and demand (求人倍率). Read-only, anonymous allowed, filtered by month, county and occupation."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.throttling import AnonRateThrottle

from core.permissions import PublicReadOnly

from ..guidance import published_cells
from ..models import SupplyDemandStat, WageGuidanceCell
from ..stats import SupplyDemandFilterSet, WageGuidanceFilterSet

FILTERS_DOC = (
    "Filters: month (YYYY-MM), county (GB/T 2260 code of a county or functional zone; `city` for the "
    "city-wide rows, whose county fields are null), occupation (code; a category includes its occupations)."
)


class _CellBase(serializers.ModelSerializer):
    county_code = serializers.CharField(
        source="scope_unit.code", allow_null=True, default=None, read_only=True
    )
    county_name = serializers.CharField(
        source="scope_unit.name", allow_null=True, default=None, read_only=True
    )
    occupation_code = serializers.CharField(source="occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", read_only=True)


class WageGuidanceCellSerializer(_CellBase):
    month = serializers.DateField(source="guidance.month", read_only=True, help_text="每月1日")
    published_at = serializers.DateTimeField(source="guidance.published_at", read_only=True)
    low = serializers.DecimalField(
        source="p10", max_digits=10, decimal_places=2, read_only=True, help_text="低位数 = P10"
    )
    median = serializers.DecimalField(
        source="p50", max_digits=10, decimal_places=2, read_only=True, help_text="中位数 = P50"
    )
    high = serializers.DecimalField(
        source="p90", max_digits=10, decimal_places=2, read_only=True, help_text="高位数 = P90"
    )

    class Meta:
        model = WageGuidanceCell
        fields = [
            "month",
            "county_code",
            "county_name",
            "occupation_code",
            "occupation_name",
            "low",
            "median",
            "high",
            "p10",
            "p25",
            "p50",
            "p75",
            "p90",
            "sample_size",
            "employer_count",
            "published_at",
        ]
        read_only_fields = fields


class SupplyDemandSerializer(_CellBase):
    class Meta:
        model = SupplyDemandStat
        fields = [
            "month",
            "county_code",
            "county_name",
            "occupation_code",
            "occupation_name",
            "open_positions",
            "active_seekers",
            "ratio",
            "new_registrations",
            "postings",
            "hires",
            "avg_days_to_fill",
            "computed_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="市场工资指导价位（仅已发布月份；样本不足的单元不公布）",
        description="Daily-equivalent wages of settled work, yuan. " + FILTERS_DOC,
        tags=["stats"],
    )
)
class WageGuidanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = WageGuidanceCellSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    filter_backends = [DjangoFilterBackend]
    filterset_class = WageGuidanceFilterSet

    def get_queryset(self):
        return published_cells().order_by(
            "-guidance__month", "occupation__sort", "occupation__code", "scope_unit__code", "id"
        )


@extend_schema_view(
    list=extend_schema(
        summary="人力资源供求（求人倍率 = 需求人数 ÷ 求职人数）",
        description="ratio is null when there are no active seekers. " + FILTERS_DOC,
        tags=["stats"],
    )
)
class SupplyDemandViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SupplyDemandSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SupplyDemandFilterSet

    def get_queryset(self):
        return SupplyDemandStat.objects.select_related("occupation", "scope_unit").order_by(
            "-month", "occupation__sort", "occupation__code", "scope_unit__code", "id"
        )
