"""The payments and ratings API: ``/api/v1/payments/`` (scoped: a worker sees their payments, an employer
theirs, county staff their county's; an object outside is a 404), the sandbox provider's callback
``/api/v1/payments/callbacks/sandbox/`` (authenticated by its signature only), and ``/api/v1/ratings/``.
Each workflow step validates an input serializer and calls one service in ``jobs.payments`` or
``jobs.ratings``."""

from __future__ import annotations

import django_filters
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.masking import mask_bank_account

from .. import payments, ratings
from ..choices import AppealOutcome, PaymentBackend, PaymentMethod, PaymentStatus, RatingDirection
from ..models import Payment, Rating, WorkOrder
from ..permissions import AuthenticatedRead, IsEmployerOrJobsStaff

CONFLICT = OpenApiResponse(description="invalid_transition（当前状态下不能执行该操作）")
ERROR = OpenApiResponse(description="code / message / fields")


class IsSignedIn(permissions.BasePermission):
    """A signed-in person; whether they are the right party is the service's question (403 or 404)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and getattr(request.user, "pk", None))


class IsRatingStaff(permissions.BasePermission):
    """Deciding appeals: county or city staff; the rating's scope is the queryset's."""

    def has_permission(self, request, view):
        return ratings.is_rating_staff(request.user)


# --- serializers --------------------------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    """A payment; the payee account is masked except for the worker who receives it."""

    worker = serializers.IntegerField(source="work_order.worker_id", read_only=True)
    employer = serializers.IntegerField(source="work_order.posting.employer_id", read_only=True)
    work_date = serializers.DateField(source="work_order.work_date", read_only=True)
    work_order_status = serializers.CharField(source="work_order.status", read_only=True)
    payee_account = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "work_order",
            "work_date",
            "work_order_status",
            "worker",
            "employer",
            "backend",
            "method",
            "status",
            "amount",
            "idempotency_key",
            "provider_ref",
            "payee_account",
            "succeeded_at",
            "failure_reason",
            "worker_confirmed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_payee_account(self, obj) -> str:
        user = self.context["request"].user
        if obj.work_order.worker_id == getattr(user, "pk", None):
            return obj.payee_account
        return mask_bank_account(obj.payee_account)


class PaymentCreateSerializer(serializers.Serializer):
    work_order = serializers.IntegerField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    backend = serializers.ChoiceField(choices=PaymentBackend.choices, required=False)
    idempotency_key = serializers.CharField(
        max_length=64, required=False, help_text=gettext_lazy("也可放在 Idempotency-Key 请求头中")
    )


class PaymentRecordOfflineSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=payments.OFFLINE_METHOD_CHOICES, required=False)
    payee_account = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CallbackAnswerSerializer(serializers.Serializer):
    code = serializers.CharField()


class RatingSerializer(serializers.ModelSerializer):
    counts = serializers.BooleanField(read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "work_order",
            "direction",
            "rater",
            "ratee",
            "stars",
            "tags",
            "comment",
            "created_at",
            "appeal_reason",
            "appealed_at",
            "appeal_outcome",
            "appeal_decided_at",
            "counts",
        ]
        read_only_fields = fields


class RatingCreateSerializer(serializers.Serializer):
    work_order = serializers.IntegerField()
    stars = serializers.IntegerField(min_value=1, max_value=5)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        help_text=gettext_lazy(
            "从固定列表中选择，最多5个（评价劳动者与评价用工方各有一组，见 jobs.ratings）"
        ),
    )
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RatingAppealSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=2, max_length=300)


class RatingDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[
            (AppealOutcome.UPHELD.value, AppealOutcome.UPHELD.label),
            (AppealOutcome.REMOVED.value, AppealOutcome.REMOVED.label),
        ]
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# --- filters ------------------------------------------------------------------------------------------------


class PaymentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    backend = django_filters.ChoiceFilter(choices=PaymentBackend.choices)
    work_order = django_filters.NumberFilter(field_name="work_order_id")

    class Meta:
        model = Payment
        fields = ["status", "backend", "work_order"]


class RatingFilterSet(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(choices=RatingDirection.choices)
    appeal_outcome = django_filters.ChoiceFilter(choices=AppealOutcome.choices)
    work_order = django_filters.NumberFilter(field_name="work_order_id")
    ratee = django_filters.NumberFilter(field_name="ratee_id")

    class Meta:
        model = Rating
        fields = ["direction", "appeal_outcome", "work_order", "ratee"]


def _work_order_for(user, pk: int) -> WorkOrder:
    """The work order named in a request body, within what the caller may see (else 404)."""
    order = WorkOrder.objects.visible_to(user).filter(pk=pk).first()
    if order is None:
        raise exceptions.NotFound(_("未找到该用工单。"))
    return order


# --- payments -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="劳务费支付（劳动者：本人的；用工方：本人的；工作人员：管辖范围内）", tags=["payments"]
    ),
    retrieve=extend_schema(summary="支付详情", tags=["payments"]),
)
class PaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PaymentSerializer
    permission_classes = [AuthenticatedRead]
    filterset_class = PaymentFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return (
            Payment.objects.visible_to(self.request.user)
            .select_related("work_order__posting")
            .order_by("-created_at", "-id")
        )

    def get_permissions(self):
        if self.action == "create":
            return [IsEmployerOrJobsStaff()]
        return super().get_permissions()

    def _out(self, payment, code=status.HTTP_200_OK):
        payment = self.get_queryset().filter(pk=payment.pk).first() or payment
        return Response(PaymentSerializer(payment, context={"request": self.request}).data, status=code)

    @extend_schema(
        summary="发起支付（用工方；须带幂等键：Idempotency-Key 请求头或 idempotency_key 字段；重放返回同一笔支付）",
        tags=["payments"],
        parameters=[
            OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)
        ],
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, 200: PaymentSerializer, 400: ERROR, 404: ERROR, 409: CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = request.headers.get("Idempotency-Key") or values.get("idempotency_key") or ""
        if not key:
            raise exceptions.ValidationError({"idempotency_key": [_("须提供幂等键。")]})
        order = _work_order_for(request.user, values["work_order"])
        payment = payments.payment_request(
            work_order=order,
            actor=request.user,
            idempotency_key=key,
            method=values["method"],
            backend=values.get("backend"),
            request=request,
        )
        return self._out(payment, status.HTTP_200_OK if payment.replayed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记线下转账（用工方；登记后待劳动者确认收款）",
        tags=["payments"],
        request=PaymentRecordOfflineSerializer,
        responses={200: PaymentSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    )
    @action(
        detail=True, methods=["post"], url_path="record-offline", permission_classes=[IsEmployerOrJobsStaff]
    )
    def record_offline(self, request, pk=None):
        payment = self.get_object()
        data = PaymentRecordOfflineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            payments.payment_record_offline(
                payment=payment, actor=request.user, request=request, **data.validated_data
            )
        )

    @extend_schema(
        summary="确认收款（劳动者；线下转账确认后用工单结算）",
        tags=["payments"],
        request=None,
        responses={200: PaymentSerializer, 403: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="confirm-receipt", permission_classes=[IsSignedIn])
    def confirm_receipt(self, request, pk=None):
        payment = self.get_object()
        return self._out(
            payments.payment_confirm_receipt(payment=payment, actor=request.user, request=request)
        )


@method_decorator(csrf_exempt, name="dispatch")
class SandboxCallbackView(APIView):
    """The sandbox provider's asynchronous notification. No session or token: the HMAC-SHA256 signature
    (X-Sandbox-Timestamp, X-Sandbox-Signature) is the only authentication. 200 when processed or already
    processed, 400 when the signature is invalid or the payment unknown."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="沙箱支付通道回调（仅凭签名认证）",
        tags=["payments"],
        parameters=[
            OpenApiParameter("X-Sandbox-Timestamp", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-Sandbox-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
        ],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: CallbackAnswerSerializer, 400: CallbackAnswerSerializer},
    )
    def post(self, request, *args, **kwargs):
        result = payments.payment_callback(
            backend=PaymentBackend.SANDBOX, body=request.body, headers=request.headers
        )
        return Response({"code": result.code}, status=result.status)


# --- ratings ------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="评价（评价人、被评价人本人；工作人员：管辖范围内）", tags=["ratings"]),
    retrieve=extend_schema(summary="评价详情", tags=["ratings"]),
)
class RatingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RatingSerializer
    permission_classes = [AuthenticatedRead]
    filterset_class = RatingFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return Rating.objects.visible_to(self.request.user).order_by("-created_at", "-id")

    def get_permissions(self):
        if self.action == "create":
            return [IsSignedIn()]
        return super().get_permissions()

    def _out(self, rating, code=status.HTTP_200_OK):
        return Response(RatingSerializer(rating, context={"request": self.request}).data, status=code)

    @extend_schema(
        summary="评价（用工单完工后，双方各一次，1–5星，可选标签）",
        tags=["ratings"],
        request=RatingCreateSerializer,
        responses={201: RatingSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        data = RatingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = _work_order_for(request.user, values["work_order"])
        rating = ratings.rating_create(
            work_order=order,
            actor=request.user,
            stars=values["stars"],
            tags=values["tags"],
            comment=values["comment"],
            request=request,
        )
        return self._out(rating, status.HTTP_201_CREATED)

    @extend_schema(
        summary="申诉（被评价人，每条评价一次）",
        tags=["ratings"],
        request=RatingAppealSerializer,
        responses={200: RatingSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsSignedIn])
    def appeal(self, request, pk=None):
        rating = self.get_object()
        data = RatingAppealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            ratings.rating_appeal(rating=rating, actor=request.user, request=request, **data.validated_data)
        )

    @extend_schema(
        summary="处理申诉（县级工作人员：维持或撤销；撤销的评价不再计入评分）",
        tags=["ratings"],
        request=RatingDecisionSerializer,
        responses={200: RatingSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="decide-appeal", permission_classes=[IsRatingStaff])
    def decide_appeal(self, request, pk=None):
        rating = self.get_object()
        data = RatingDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            ratings.rating_decide_appeal(
                rating=rating, actor=request.user, request=request, **data.validated_data
            )
        )
