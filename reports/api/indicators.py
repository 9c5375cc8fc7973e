"""The indicator catalogue, public: what every report figure means (code, names, definition, unit, source,
breakdowns, computed or submitted, additive)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from core.api.throttles import AnonRateThrottle
from core.permissions import PublicReadOnly

from ..models import Indicator
from ..selectors import indicator_list


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "definition",
            "unit",
            "source_app",
            "breakdowns",
            "method",
            "additive",
            "stock",
            "sort",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="统计指标目录", tags=["reports"]),
    retrieve=extend_schema(summary="统计指标详情", tags=["reports"]),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return indicator_list()


ROUTES = [("reports/indicators", IndicatorViewSet, "report-indicator")]
