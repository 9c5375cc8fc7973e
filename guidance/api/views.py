"""The guidance API: published policies and the FAQ (public), policy questions (the asker's own; the
county's staff and tokens see their scope, 404 outside it) and answering them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.throttles import AnonRateThrottle
from core.errors import NotPermitted
from core.permissions import PublicReadOnly, signed_in, token_may_read

from .. import selectors, services
from ..choices import QuestionChannel
from ..models import GuidanceBooking, GuidanceSlot, Question
from .serializers import (
    BookingCreateSerializer,
    FaqSerializer,
    GuidanceBookingSerializer,
    GuidanceSlotSerializer,
    PolicyArticleSerializer,
    QuestionAnswerSerializer,
    QuestionCreateSerializer,
    QuestionSerializer,
)

SEARCH = [
    OpenApiParameter("q", str, description="keyword (title, text, document number)"),
    OpenApiParameter("category", str, description="policy category code"),
]


@extend_schema_view(
    list=extend_schema(summary="政策文章（已发布、在有效期内）", tags=["guidance"], parameters=SEARCH),
    retrieve=extend_schema(summary="政策文章详情", tags=["guidance"]),
)
class PolicyArticleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PolicyArticleSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.article_list_public(
            q=params.get("q", ""), category=params.get("category", "")
        ).prefetch_related("attachments")


@extend_schema_view(
    list=extend_schema(
        summary="常见问题（已答复并公开的咨询，不含个人信息）", tags=["guidance"], parameters=SEARCH
    )
)
class FaqViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = FaqSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    queryset = Question.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        return selectors.faq_list(q=params.get("q", ""), category=params.get("category", ""))


class QuestionPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return token_may_read(request, view)
        return signed_in(request.user)


@extend_schema_view(
    list=extend_schema(summary="政策咨询（本人的；工作人员和县级系统为辖区内的）", tags=["guidance"]),
    retrieve=extend_schema(summary="政策咨询详情", tags=["guidance"]),
    create=extend_schema(
        summary="网上咨询（登录用户；按工作日计算答复期限）",
        tags=["guidance"],
        request=QuestionCreateSerializer,
        responses={201: QuestionSerializer},
    ),
)
class QuestionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = QuestionSerializer
    permission_classes = [QuestionPermission]
    queryset = Question.objects.none()

    def get_queryset(self):
        return (
            Question.objects.visible_to(self.request.user)
            .select_related("scope_unit")
            .order_by("-asked_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        data = QuestionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        question = services.question_ask(
            actor=request.user,
            channel=QuestionChannel.ONLINE,
            scope_unit=values["county"],
            category=values["category"],
            title=values["title"],
            body=values["body"],
            request=request,
        )
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="答复咨询（辖区工作人员；通知咨询人）",
        tags=["guidance"],
        request=QuestionAnswerSerializer,
        responses={200: QuestionSerializer},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        question = self.get_object()
        data = QuestionAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_answer(
            question=question, actor=request.user, answer=data.validated_data["answer"], request=request
        )
        return Response(QuestionSerializer(question).data)


@extend_schema_view(
    list=extend_schema(summary="可预约的职业指导时段（市场服务台）", tags=["guidance"]),
    retrieve=extend_schema(summary="职业指导时段详情", tags=["guidance"]),
)
class GuidanceSlotViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GuidanceSlotSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    queryset = GuidanceSlot.objects.none()

    def get_queryset(self):
        return selectors.slots_open()

    @extend_schema(
        summary="预约职业指导（登录用户，为本人预约；时段约满返回 400 slot_full）",
        tags=["guidance"],
        request=BookingCreateSerializer,
        responses={201: GuidanceBookingSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def book(self, request, pk=None):
        slot = self.get_object()
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not signed_in(request.user):
            raise NotPermitted()
        booking = services.booking_create(
            slot=slot,
            person=request.user,
            actor=request.user,
            need=data.validated_data["need"],
            request=request,
        )
        return Response(GuidanceBookingSerializer(booking).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="职业指导预约（本人的；工作人员为辖区内的）", tags=["guidance"]),
    retrieve=extend_schema(summary="职业指导预约详情", tags=["guidance"]),
)
class GuidanceBookingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GuidanceBookingSerializer
    permission_classes = [QuestionPermission]
    queryset = GuidanceBooking.objects.none()

    def get_queryset(self):
        return GuidanceBooking.objects.visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        summary="取消预约（本人）",
        tags=["guidance"],
        request=None,
        responses={200: GuidanceBookingSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = services.booking_cancel(booking=self.get_object(), actor=request.user, request=request)
        return Response(GuidanceBookingSerializer(booking).data)
