"""One FilterSet per model, shared by the API and the public pages (NetBox style)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.geo import bounding_box, distance_km_expression
from core.models import ScopeUnit

from .choices import MarketKind, MarketStatus, PlatformKind, PlatformStatus
from .models import Facility, Market, OnlinePlatform


class GeoFilterMixin(django_filters.FilterSet):
    """The shared geographic parameters: lat, lng, radius_km and ordering=distance."""

    lat = django_filters.NumberFilter(method="noop", label=_("纬度"))
    lng = django_filters.NumberFilter(method="noop", label=_("经度"))
    radius_km = django_filters.NumberFilter(method="noop", label=_("半径（公里）"))

    def noop(self, queryset, name, value):
        return queryset

    def is_valid(self):
        if not super().is_valid():
            return False
        data = self.form.cleaned_data
        lat, lng, radius = data.get("lat"), data.get("lng"), data.get("radius_km")
        if (lat is None) != (lng is None):
            self.form.add_error("lat" if lat is None else "lng", _("经纬度须同时提供。"))
        elif lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
            self.form.add_error("lat", _("经纬度超出范围。"))
        if radius is not None and (lat is None or radius <= 0 or radius > 500):
            self.form.add_error("radius_km", _("半径须在0到500公里之间，并同时提供经纬度。"))
        return not self.form.errors

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        lat, lng, radius = data.get("lat"), data.get("lng"), data.get("radius_km")
        if lat is None or lng is None:
            return queryset
        lat, lng = float(lat), float(lng)
        if radius is not None:
            min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, float(radius))
            queryset = queryset.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
        queryset = queryset.annotate(distance_km=distance_km_expression(lat, lng))
        if radius is not None:
            queryset = queryset.filter(distance_km__lte=float(radius))
        return queryset


ORDERING_CHOICES = [("name", _("名称")), ("distance", _("距离（由近到远）")), ("-updated_at", _("最近更新"))]


class MarketFilterSet(GeoFilterMixin):
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    county = django_filters.ModelChoiceFilter(
        field_name="scope_unit",
        to_field_name="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        label=_("县（市、区）"),
        empty_label=_("全部"),
    )
    kind = django_filters.ChoiceFilter(choices=MarketKind.choices, label=_("类型"), empty_label=_("全部"))
    status = django_filters.ChoiceFilter(choices=MarketStatus.choices, label=_("状态"), empty_label=_("全部"))
    facility = extend_schema_field(OpenApiTypes.STR)(  # facility codes (the schema cannot infer them)
        django_filters.ModelMultipleChoiceFilter(
            field_name="facilities__code",
            to_field_name="code",
            queryset=Facility.objects.filter(is_active=True),
            conjoined=True,
            label=_("设施"),
            widget=forms.CheckboxSelectMultiple,
        )
    )
    open_now = django_filters.BooleanFilter(
        method="filter_open_now", label=_("现在开放"), widget=forms.CheckboxInput
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES, method="noop", label=_("排序"), empty_label=None
    )

    class Meta:
        model = Market
        fields = ["q", "county", "kind", "status", "facility", "open_now"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(address__contains=value)) if value else queryset

    def filter_open_now(self, queryset, name, value):
        return queryset.open_at(timezone.now()) if value else queryset

    def is_valid(self):
        valid = super().is_valid()
        if (
            valid
            and self.form.cleaned_data.get("ordering") == "distance"
            and self.form.cleaned_data.get("lat") is None
        ):
            self.form.add_error("ordering", _("按距离排序须提供经纬度。"))
            return False
        return valid

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or "name"
        if ordering == "distance":
            return queryset.order_by("distance_km", "pk")
        if ordering == "-updated_at":
            return queryset.order_by("-updated_at", "pk")
        return queryset.order_by("scope_unit__code", "name", "pk")


class OnlinePlatformFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    county = django_filters.CharFilter(field_name="scope_unit__code", label=_("县（市、区）"))
    kind = django_filters.ChoiceFilter(choices=PlatformKind.choices)
    status = django_filters.ChoiceFilter(choices=PlatformStatus.choices)

    class Meta:
        model = OnlinePlatform
        fields = ["q", "county", "kind", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(name__contains=value) | Q(operator_name__contains=value)) if value else queryset
        )
