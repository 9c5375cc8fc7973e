from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import ModelPermission, has_perms
from core.services import REVEAL_PERMISSION, personal_data_reveal

from .. import selectors, services
from ..filtersets import UserFilterSet
from .serializers import (
    ApiClientMeSerializer,
    ApiClientSerializer,
    MeSerializer,
    RevealInputSerializer,
    RevealOutputSerializer,
    UserSerializer,
)


class MeView(APIView):
    """Who is calling: a person (their own data, unmasked) or a county system (its scope)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="当前用户或接口客户端",
        tags=["accounts"],
        # a person gets their own record, a county system its token's scope: either shape
        responses={
            200: PolymorphicProxySerializer("MeOrClient", [MeSerializer, ApiClientMeSerializer], None)
        },
    )
    def get(self, request):
        client = getattr(request.user, "api_client", None)
        if client is not None:
            data = {
                "kind": "api_client",
                "name": client.name,
                "county": client.county_code,
                "city_wide": client.is_city_wide,
                "expires_at": client.expires_at,
            }
            return Response(ApiClientMeSerializer(data).data)
        return Response(MeSerializer(request.user).data)


@extend_schema_view(
    list=extend_schema(summary="人员列表（管辖范围内，个人信息脱敏）", tags=["accounts"]),
    retrieve=extend_schema(summary="人员详情（个人信息脱敏）", tags=["accounts"]),
)
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [ModelPermission]
    filterset_class = UserFilterSet
    ordering_fields = ["date_joined", "id"]
    ordering = ["-date_joined"]

    def get_queryset(self):
        return selectors.user_list(user=self.request.user).order_by("-date_joined", "-id")

    @extend_schema(
        summary="查看完整个人信息（记录查看人与事由）",
        tags=["accounts"],
        request=RevealInputSerializer,
        responses={200: RevealOutputSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[has_perms(REVEAL_PERMISSION)])
    def reveal(self, request, pk=None):
        user = get_object_or_404(self.get_queryset(), pk=pk)
        data = RevealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        value = personal_data_reveal(
            actor=request.user,
            obj=user,
            field=data.validated_data["field"],
            reason=data.validated_data["reason"],
            request=request,
        )
        return Response({"field": data.validated_data["field"], "value": value})


class IsCityStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.has_role("city_staff")))


@extend_schema_view(
    list=extend_schema(summary="接口客户端（市级工作人员）", tags=["accounts"]),
    retrieve=extend_schema(summary="接口客户端详情", tags=["accounts"]),
    create=extend_schema(summary="签发令牌（仅在此响应中返回一次）", tags=["accounts"]),
)
class ApiClientViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ApiClientSerializer
    permission_classes = [IsCityStaff]

    def get_queryset(self):
        return selectors.api_client_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client, raw = services.api_client_issue(
            actor=request.user,
            name=serializer.validated_data["name"],
            scope_unit=serializer.validated_data["scope_unit"],
            days=serializer.validated_data.get("days"),
            request=request,
        )
        out = ApiClientSerializer(client, context={"raw_token": raw})
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="吊销令牌",
        tags=["accounts"],
        request=None,
        responses={200: ApiClientSerializer, 404: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        client = services.api_client_revoke(actor=request.user, client=self.get_object(), request=request)
        return Response(ApiClientSerializer(client).data)
