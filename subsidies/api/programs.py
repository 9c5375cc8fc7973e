"""Subsidies API: the programs with their parameter rows (public, like the policy pages), and the stored
eligibility decisions (a person's own; county staff and county tokens their county's)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from core.api.throttles import AnonRateThrottle
from core.filtersets import IdFilter
from core.permissions import PublicReadOnly

from ..models import FIGURE_FIELDS, EligibilityDecision, ProgramParameter, ProgramType
from .permissions import SignedInRead


class ProgramParameterSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="scope_unit.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ProgramParameter
        fields = [
            "id",
            "version",
            "county",
            "effective_from",
            "effective_to",
            *FIGURE_FIELDS,
            "notice",
            "basis",
        ]
        read_only_fields = fields


class ProgramTypeSerializer(serializers.ModelSerializer):
    parameters = ProgramParameterSerializer(many=True, read_only=True)

    class Meta:
        model = ProgramType
        fields = [
            "code",
            "name",
            "summary",
            "eligibility_strategy",
            "amount_strategy",
            "dedup_strategy",
            "cycle_strategy",
            "parameters",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="补贴项目及各版本参数（公开）", tags=["subsidies"]),
    retrieve=extend_schema(summary="补贴项目详情", tags=["subsidies"]),
)
class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgramTypeSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    lookup_field = "code"
    queryset = ProgramType.objects.all()

    def get_queryset(self):
        return ProgramType.objects.order_by("sort", "code").prefetch_related(
            Prefetch(
                "parameters",
                queryset=ProgramParameter.objects.select_related("scope_unit").order_by(
                    "scope_unit", "-effective_from"
                ),
            )
        )


class DecisionFilterSet(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program_type__code", label=_("补贴项目编码"))
    person = IdFilter(field_name="person_id", label=_("人员"))
    eligible = django_filters.BooleanFilter()

    class Meta:
        model = EligibilityDecision
        fields = ["program", "person", "eligible"]


class DecisionSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program_type.code", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)

    class Meta:
        model = EligibilityDecision
        fields = [
            "id",
            "person",
            "program",
            "parameter_version",
            "period_start",
            "period_end",
            "eligible",
            "amount",
            "figures",
            "reasons",
            "needs",
            "computed_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="资格测算结果（本人的；工作人员为辖区内的）", tags=["subsidies"]),
    retrieve=extend_schema(summary="资格测算详情：全部计算数据、参数版本和理由", tags=["subsidies"]),
)
class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DecisionSerializer
    permission_classes = [SignedInRead]
    filterset_class = DecisionFilterSet
    queryset = EligibilityDecision.objects.all()

    def get_queryset(self):
        return (
            EligibilityDecision.objects.visible_to(self.request.user)
            .select_related("program_type")
            .order_by("-computed_at", "-id")
        )


ROUTES: list = [
    ("subsidy-programs", ProgramViewSet, "subsidy-programs"),
    ("subsidy-decisions", DecisionViewSet, "subsidy-decisions"),
]
