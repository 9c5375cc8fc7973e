from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..filtersets import MarketFilterSet, OnlinePlatformFilterSet
from ..models import Market, OnlinePlatform
from ..publishing import current_snapshot
from .serializers import (
    MarketSerializer,
    MarketTransitionSerializer,
    MarketWriteSerializer,
    OnlinePlatformSerializer,
    PlatformTransitionSerializer,
)


class PublicReadStaffWrite(permissions.BasePermission):
    """The register is public to read; writes need the model permission (scope is checked by services)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        model = view.queryset_model._meta
        perm = "add" if request.method == "POST" and not getattr(view, "detail", False) else "change"
        return bool(
            user and user.is_authenticated and user.has_perm(f"{model.app_label}.{perm}_{model.model_name}")
        )


@extend_schema_view(
    list=extend_schema(
        summary="零工市场列表（公众：运营中的市场；工作人员：管辖范围内全部）",
        tags=["markets"],
        description="Filters: county (GB/T 2260), kind, status, facility (repeatable, all required), q, open_now, "
        "lat+lng (+radius_km) and ordering=distance (haversine, nearest first).",
    ),
    retrieve=extend_schema(summary="零工市场详情", tags=["markets"]),
    create=extend_schema(
        summary="新建市场（工作人员，状态为筹建中）", tags=["markets"], request=MarketWriteSerializer
    ),
    partial_update=extend_schema(
        summary="修改市场信息（工作人员或本市场运营方）", tags=["markets"], request=MarketWriteSerializer
    ),
)
class MarketViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MarketSerializer
    permission_classes = [PublicReadStaffWrite]
    filterset_class = MarketFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    queryset_model = Market

    def get_queryset(self):
        return selectors.market_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = MarketWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        facilities = values.pop("facilities", [])
        system = values.pop("coordinate_system")
        market = services.market_create(
            actor=request.user, data=values, facilities=facilities, coordinate_system=system, request=request
        )
        return Response(MarketSerializer(market).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        market = self.get_object()
        data = MarketWriteSerializer(market, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        facilities = values.pop("facilities", None)
        system = values.pop("coordinate_system", "wgs84")
        values.pop("scope_unit", None)
        market = services.market_update_profile(
            market=market,
            actor=request.user,
            data=values,
            facilities=facilities,
            coordinate_system=system,
            request=request,
        )
        return Response(MarketSerializer(market).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary="市场状态变更（筹建→运营；运营→暂停/关闭/取缔；暂停→运营/关闭/取缔）",
        tags=["markets"],
        request=MarketTransitionSerializer,
        responses={200: MarketSerializer, 409: OpenApiResponse(description="invalid_transition")},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        market = self.get_object()
        data = MarketTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        market = services.market_transition(
            market=market, actor=request.user, request=request, **data.validated_data
        )
        return Response(MarketSerializer(market).data)


class MarketGeoJSONView(APIView):
    """The public map as one GeoJSON FeatureCollection of operating markets ([lng, lat], WGS-84) and approved
    online platforms (null geometry; ``properties.category`` tells them apart). Served
    from the published snapshot with an ETag: no database query on a cache hit, 304 when unchanged."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="公开地图 GeoJSON（运营中的市场和已审核的线上平台）",
        tags=["markets"],
        responses={
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
            304: OpenApiResponse(description="Not modified"),
        },
    )
    def get(self, request):
        snapshot = current_snapshot()
        etag, body = snapshot if snapshot else ("empty", '{"type":"FeatureCollection","features":[]}')
        quoted = f'"{etag}"'
        if quoted in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
        response["ETag"] = quoted
        patch_cache_control(response, public=True, max_age=60)
        return response


@extend_schema_view(
    list=extend_schema(
        summary="线上零工平台（公众：已纳入的平台；工作人员：管辖范围内全部）", tags=["markets"]
    ),
    retrieve=extend_schema(summary="线上零工平台详情", tags=["markets"]),
    create=extend_schema(summary="登记线上平台（待审核）", tags=["markets"]),
)
class OnlinePlatformViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OnlinePlatformSerializer
    permission_classes = [PublicReadStaffWrite]
    filterset_class = OnlinePlatformFilterSet

    queryset_model = OnlinePlatform

    def get_queryset(self):
        return selectors.platform_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        platform = services.platform_register(
            actor=request.user, data=serializer.validated_data, request=request
        )
        return Response(OnlinePlatformSerializer(platform).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="线上平台审核状态变更",
        tags=["markets"],
        request=PlatformTransitionSerializer,
        responses={200: OnlinePlatformSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        platform = get_object_or_404(self.get_queryset(), pk=pk)
        data = PlatformTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        platform = services.platform_transition(
            platform=platform, actor=request.user, request=request, **data.validated_data
        )
        return Response(OnlinePlatformSerializer(platform).data)
