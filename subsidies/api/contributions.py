"""Subsidies API: the contribution imports (staff read their progress and counts; uploads are the admin's)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from ..models import ContributionImport
from .permissions import StaffRead


class ContributionImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContributionImport
        fields = [
            "id",
            "file_name",
            "dry_run",
            "status",
            "rows_total",
            "rows_done",
            "errors",
            "created_count",
            "updated_count",
            "identical_count",
            "conflict_count",
            "invalid_count",
            "failure",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="缴费记录导入批次及进度", tags=["subsidies"]),
    retrieve=extend_schema(summary="缴费记录导入批次详情", tags=["subsidies"]),
)
class ContributionImportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ContributionImportSerializer
    permission_classes = [StaffRead]
    queryset = ContributionImport.objects.all()

    def get_queryset(self):
        return ContributionImport.objects.visible_to(self.request.user).order_by("-created_at", "-id")


ROUTES: list = [
    ("subsidy-contribution-imports", ContributionImportViewSet, "subsidy-contribution-imports"),
]
