"""Serializers of the public statistics: translate rows, no side effects."""

from __future__ import annotations

from rest_framework import serializers

from ..models import SupplyDemandStat, WageGuidanceCell


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
