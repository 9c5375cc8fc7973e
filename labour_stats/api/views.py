"""Public statistics API: wage guidance prices (published months only; suppressed cells were never stored)
and supply and demand (求人倍率). Read-only, anonymous allowed, filtered by month, county and occupation."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from core.api.throttles import AnonRateThrottle
from core.permissions import PublicReadOnly

from ..filtersets import SupplyDemandFilterSet, WageGuidanceFilterSet
from ..selectors import published_cells, supply_demand_list
from .serializers import SupplyDemandSerializer, WageGuidanceCellSerializer

FILTERS_DOC = (
    "Filters: month (YYYY-MM), county (GB/T 2260 code of a county or functional zone; `city` for the "
    "city-wide rows, whose county fields are null), occupation (code; a category includes its occupations)."
)


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
        return supply_demand_list().order_by(
            "-month", "occupation__sort", "occupation__code", "scope_unit__code", "id"
        )
