from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.masking import mask_phone
from core.models import ScopeUnit

from ..choices import CoordinateSystem, MarketStatus, PlatformStatus
from ..models import Facility, Market, OnlinePlatform


class MarketSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    county_name = serializers.CharField(source="scope_unit.name", read_only=True)
    town = serializers.CharField(source="town_id", read_only=True, allow_null=True)
    facilities = serializers.SerializerMethodField()
    is_open_now = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()
    operator_contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = Market
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "county",
            "county_name",
            "town",
            "address",
            "lat",
            "lng",
            "transit",
            "operating_model",
            "operator_name",
            "operator_contact",
            "operator_contact_phone",
            "opens_at",
            "closes_at",
            "open_days",
            "is_open_now",
            "capacity",
            "services",
            "hotline",
            "complaint_channel",
            "description",
            "facilities",
            "risk_grade",
            "distance_km",
            "updated_at",
        ]

    def get_facilities(self, obj) -> list[str]:
        return [f.code for f in obj.facilities.all()]

    def get_is_open_now(self, obj) -> bool:
        return obj.is_open_at(self.context.get("now") or timezone.now())

    def get_distance_km(self, obj) -> float | None:
        value = getattr(obj, "distance_km", None)
        return round(value, 3) if value is not None else None

    def get_operator_contact_phone(self, obj) -> str:
        return mask_phone(obj.operator_contact_phone)


class MarketWriteSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(
        source="scope_unit", slug_field="code", queryset=ScopeUnit.objects.filter(is_active=True)
    )
    facilities = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Facility.objects.filter(is_active=True)
    )
    coordinate_system = serializers.ChoiceField(
        choices=CoordinateSystem.choices,
        default=CoordinateSystem.WGS84,
        write_only=True,
        help_text=_("坐标来自高德/腾讯地图填 gcj02，百度地图填 bd09，保存时转换为 WGS-84。"),
    )

    class Meta:
        model = Market
        fields = [
            "name",
            "kind",
            "county",
            "town",
            "address",
            "lat",
            "lng",
            "coordinate_system",
            "transit",
            "operating_model",
            "operator_name",
            "operator_contact",
            "operator_contact_phone",
            "contract_start",
            "contract_end",
            "opens_at",
            "closes_at",
            "open_days",
            "capacity",
            "services",
            "hotline",
            "complaint_channel",
            "description",
            "facilities",
        ]


class MarketTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=MarketStatus.choices)
    reason = serializers.CharField(min_length=2, max_length=300)
    alternative = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    alternative_market = serializers.PrimaryKeyRelatedField(
        queryset=Market.objects.filter(status=MarketStatus.OPERATING),
        required=False,
        allow_null=True,
        default=None,
    )


class OnlinePlatformSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(
        source="scope_unit", slug_field="code", queryset=ScopeUnit.objects.filter(is_active=True)
    )

    class Meta:
        model = OnlinePlatform
        fields = [
            "id",
            "name",
            "kind",
            "county",
            "operator_name",
            "operator_uscc",
            "url",
            "qr_code",
            "offers_publishing",
            "offers_matching",
            "offers_payment",
            "hotline",
            "description",
            "status",
        ]
        read_only_fields = ["status", "qr_code"]


class PlatformTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=PlatformStatus.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
