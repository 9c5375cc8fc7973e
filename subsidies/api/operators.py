"""Subsidies API: the gig-market operator assessments (ADR 0033) — county staff and county tokens read their
county's (city staff all), with every figure, its trace, the checks and the score; staff review a draft."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import has_perms

from ..choices import AssessmentStatus
from ..models import OperatorAssessment
from ..services import operators as services
from .permissions import StaffRead


class OperatorAssessmentFilterSet(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="market__scope_unit__code", label="county")
    q = django_filters.CharFilter(field_name="market__name", lookup_expr="contains", label="q")
    period_start = django_filters.DateFilter(field_name="period_start")
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)
    disqualified = django_filters.BooleanFilter()

    class Meta:
        model = OperatorAssessment
        fields = ["county", "q", "period_start", "status", "disqualified"]


class OperatorAssessmentSerializer(serializers.ModelSerializer):
    market_name = serializers.CharField(source="market.name", read_only=True)
    county = serializers.CharField(source="market.scope_unit.code", read_only=True)

    class Meta:
        model = OperatorAssessment
        fields = [
            "id",
            "market",
            "market_name",
            "county",
            "period_start",
            "period_end",
            "status",
            "scheme_version",
            "disqualified",
            "score",
            "recommended_amount",
            "computed_at",
            "reviewed_at",
        ]
        read_only_fields = fields


class OperatorAssessmentDetailSerializer(OperatorAssessmentSerializer):
    class Meta(OperatorAssessmentSerializer.Meta):
        fields = [
            *OperatorAssessmentSerializer.Meta.fields,
            "figures",
            "traces",
            "checks",
            "reasons",
            "score_items",
            "scheme_figures",
            "review_note",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, label=_("复核意见"))


@extend_schema_view(
    list=extend_schema(summary="零工市场运营补贴测算（辖区内）", tags=["subsidies"]),
    retrieve=extend_schema(
        summary="零工市场运营补贴测算详情：各项指标、来源记录、数据核验、得分和建议金额", tags=["subsidies"]
    ),
)
class OperatorAssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [StaffRead]
    filterset_class = OperatorAssessmentFilterSet
    queryset = OperatorAssessment.objects.all()

    def get_serializer_class(self):
        return OperatorAssessmentSerializer if self.action == "list" else OperatorAssessmentDetailSerializer

    def get_queryset(self):
        return (
            OperatorAssessment.objects.visible_to(self.request.user)
            .select_related("market__scope_unit")
            .order_by("-period_start", "market__name", "id")
        )

    @extend_schema(
        summary="复核测算（测算稿 → 已复核；复核后不再重算）",
        tags=["subsidies"],
        request=ReviewSerializer,
        responses={
            200: OperatorAssessmentDetailSerializer,
            403: OpenApiResponse(),
            404: OpenApiResponse(),
            409: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[has_perms(services.REVIEW_PERMISSION)])
    def review(self, request, pk=None):
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.operator_assessment_review(
            assessment=self.get_object(),
            actor=request.user,
            note=data.validated_data.get("note", ""),
            request=request,
        )
        return Response(OperatorAssessmentDetailSerializer(row).data)


ROUTES: list = [
    ("subsidy-operator-assessments", OperatorAssessmentViewSet, "subsidy-operator-assessments"),
]
