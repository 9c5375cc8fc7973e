"""The work-and-pay API: ``/api/v1/work-orders/`` (scoped lists: a worker their own, an employer their
postings', county staff their county's; one action per workflow step), ``/api/v1/payments/`` with the
sandbox provider's callback ``/api/v1/payments/callbacks/sandbox/`` (authenticated by its signature only),
and ``/api/v1/ratings/``. Each step validates an input serializer and calls one service; the services
decide who may (404 outside, 403 inside without the right)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.throttles import ScopedRateThrottle
from jobs.permissions import AuthenticatedRead

from .. import selectors, services
from ..choices import PaymentBackend
from ..filtersets import PaymentFilterSet, RatingFilterSet, WorkOrderFilterSet
from ..permissions import IsEmployerOrStaff, IsRatingStaff, IsSignedIn, IsWorkerOrCounter, IsWorkOrderParty
from .serializers import (
    ApproveSerializer,
    CallbackAnswerSerializer,
    CheckOutSerializer,
    CheckSerializer,
    CorrectHoursSerializer,
    PaymentCreateSerializer,
    PaymentRecordOfflineSerializer,
    PaymentRefundSerializer,
    PaymentSerializer,
    RatingAppealSerializer,
    RatingCreateSerializer,
    RatingDecisionSerializer,
    RatingSerializer,
    ReasonSerializer,
    RecordEndSerializer,
    RefundSerializer,
    WorkOrderSerializer,
)

CONFLICT = OpenApiResponse(description="invalid_transition（当前状态下不能执行该操作）")
ERROR = OpenApiResponse(description="code / message / fields")
NOT_FOUND = OpenApiResponse(description="not_found（不在您的范围内）")


def _work_order_for(user, pk: int):
    """The work order named in a request body, within what the caller may see (else 404)."""
    order = selectors.work_order_for(user=user, pk=pk)
    if order is None:
        raise exceptions.NotFound(_("未找到该用工单。"))
    return order


# --- work orders ------------------------------------------------------------------------------------------


def _step(summary: str, request=None, responses=None):
    return extend_schema(
        summary=summary,
        tags=["work"],
        request=request,
        responses=responses
        or {200: WorkOrderSerializer, 400: ERROR, 403: ERROR, 404: NOT_FOUND, 409: CONFLICT},
    )


@extend_schema_view(
    list=extend_schema(
        summary="用工单（劳动者：自己的；用工方：自己岗位的；工作人员：管辖范围内）",
        tags=["work"],
        description="status filters by the effective status: a checked-out order past its approval deadline "
        "is approved even before the periodic scan has stored it (stored_status shows the row).",
    ),
    retrieve=extend_schema(summary="用工单详情（含全部工时更正记录）", tags=["work"]),
)
class WorkOrderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkOrderSerializer
    permission_classes = [AuthenticatedRead]
    filterset_class = WorkOrderFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return selectors.work_order_list(user=self.request.user).prefetch_related("corrections")

    def _done(self, order):
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @_step("确认到岗（劳动者，开工前；或服务台代办）")
    @action(detail=True, methods=["post"], permission_classes=[IsWorkerOrCounter])
    def confirm(self, request, pk=None):
        return self._done(
            services.work_order_confirm(order=self.get_object(), actor=request.user, request=request)
        )

    @_step("签到（手机定位须在工作地点范围内；扫用工方出示的签到码；或服务台代签）", CheckSerializer)
    @action(detail=True, methods=["post"], url_path="check-in", permission_classes=[IsWorkerOrCounter])
    def check_in(self, request, pk=None):
        order = self.get_object()
        data = self._input(CheckSerializer)
        return self._done(
            services.work_order_check_in(order=order, actor=request.user, request=request, **data)
        )

    @_step("签退（同签到方式；工时由签到、签退时间计算，计件可报完成件数）", CheckOutSerializer)
    @action(detail=True, methods=["post"], url_path="check-out", permission_classes=[IsWorkerOrCounter])
    def check_out(self, request, pk=None):
        order = self.get_object()
        data = self._input(CheckOutSerializer)
        return self._done(
            services.work_order_check_out(order=order, actor=request.user, request=request, **data)
        )

    @_step("记录结束时间（劳动者未签退时，由用工方记录）", RecordEndSerializer)
    @action(detail=True, methods=["post"], url_path="record-end", permission_classes=[IsEmployerOrStaff])
    def record_end(self, request, pk=None):
        order = self.get_object()
        data = self._input(RecordEndSerializer)
        return self._done(
            services.work_order_record_end(order=order, actor=request.user, request=request, **data)
        )

    @_step("更正工时或件数（用工方，须写明原因；劳动者可见每一次更正）", CorrectHoursSerializer)
    @action(detail=True, methods=["post"], url_path="correct-hours", permission_classes=[IsEmployerOrStaff])
    def correct_hours(self, request, pk=None):
        order = self.get_object()
        data = self._input(CorrectHoursSerializer)
        services.work_order_correct_hours(order=order, actor=request.user, request=request, **data)
        return self._done(order)

    @_step("确认工时和金额（用工方；按工资单位计算应付金额）", ApproveSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsEmployerOrStaff])
    def approve(self, request, pk=None):
        order = self.get_object()
        data = self._input(ApproveSerializer)
        return self._done(
            services.work_order_approve(order=order, actor=request.user, request=request, **data)
        )

    @_step("取消用工（劳动者、用工方或工作人员；记录取消方和提前小时数）", ReasonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsWorkOrderParty])
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self._input(ReasonSerializer)
        return self._done(
            services.work_order_cancel(order=order, actor=request.user, request=request, **data)
        )

    @_step("记为未到岗（用工方或工作人员，开工时间之后）", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="no-show", permission_classes=[IsEmployerOrStaff])
    def no_show(self, request, pk=None):
        order = self.get_object()
        data = self._input(ReasonSerializer)
        return self._done(
            services.work_order_mark_no_show(order=order, actor=request.user, request=request, **data)
        )


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
        return selectors.payment_list(user=self.request.user)

    def get_permissions(self):
        if self.action == "create":
            return [IsEmployerOrStaff()]
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
        payment = services.payment_request(
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
    @action(detail=True, methods=["post"], url_path="record-offline", permission_classes=[IsEmployerOrStaff])
    def record_offline(self, request, pk=None):
        payment = self.get_object()
        data = PaymentRecordOfflineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.payment_record_offline(
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
            services.payment_confirm_receipt(payment=payment, actor=request.user, request=request)
        )

    @extend_schema(
        summary="反映未收到劳务费（劳动者；用工单转为有争议，并立即产生欠薪预警）",
        tags=["payments"],
        request=RatingAppealSerializer,
        responses={200: PaymentSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="not-received", permission_classes=[IsSignedIn])
    def not_received(self, request, pk=None):
        payment = self.get_object()
        data = RatingAppealSerializer(data=request.data)  # {"reason": …}, 2–300 characters
        data.is_valid(raise_exception=True)
        return self._out(
            services.payment_report_not_received(
                payment=payment, actor=request.user, reason=data.validated_data["reason"], request=request
            )
        )

    @extend_schema(
        summary="查询支付结果（用工方；向在线支付通道查询处理中的支付并按结果处理）",
        tags=["payments"],
        request=None,
        responses={200: PaymentSerializer, 403: ERROR, 503: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="sync", permission_classes=[IsEmployerOrStaff])
    def sync(self, request, pk=None):
        payment = self.get_object()
        return self._out(services.payment_sync(payment=payment, actor=request.user))

    @extend_schema(
        summary="退款（用工方或工作人员；全额退回在线支付，用工单恢复为待付款；须带幂等键）",
        tags=["payments"],
        parameters=[
            OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)
        ],
        request=PaymentRefundSerializer,
        responses={
            200: RefundSerializer,
            201: RefundSerializer,
            400: ERROR,
            403: ERROR,
            409: CONFLICT,
            503: ERROR,
        },
    )
    @action(detail=True, methods=["post"], url_path="refund", permission_classes=[IsEmployerOrStaff])
    def refund(self, request, pk=None):
        payment = self.get_object()
        data = PaymentRefundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key") or data.validated_data.get("idempotency_key") or ""
        if not key:
            raise exceptions.ValidationError({"idempotency_key": [_("须提供幂等键。")]})
        refund = services.payment_refund(
            payment=payment,
            actor=request.user,
            idempotency_key=key,
            reason=data.validated_data["reason"],
            request=request,
        )
        return Response(
            RefundSerializer(refund).data,
            status=status.HTTP_200_OK if refund.replayed else status.HTTP_201_CREATED,
        )


@method_decorator(csrf_exempt, name="dispatch")
class SandboxCallbackView(APIView):
    """The sandbox provider's asynchronous notification. No session or token: the HMAC-SHA256 signature
    (X-Sandbox-Timestamp, X-Sandbox-Signature) is the only authentication. 200 when processed or already
    processed, 400 when the signature is invalid or the payment unknown."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "payment_callback"

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
        result = services.payment_callback(
            backend=PaymentBackend.SANDBOX, body=request.body, headers=request.headers
        )
        return Response({"code": result.code}, status=result.status)


@method_decorator(csrf_exempt, name="dispatch")
class WeChatPayCallbackView(APIView):
    """WeChat Pay v3's notification (支付结果通知, 退款结果通知). No session or token: the Wechatpay-Signature
    (RSA-SHA256 by the platform public key whose id is Wechatpay-Serial, over timestamp, nonce and body) is the
    only authentication; the resource is decrypted with the APIv3 key. 200 when processed or already
    processed; otherwise 400 with ``{"code": "FAIL", …}`` and WeChat Pay sends it again."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "payment_callback"

    @extend_schema(
        summary="微信支付回调（仅凭平台签名认证）",
        tags=["payments"],
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)
            for name in (
                "Wechatpay-Signature",
                "Wechatpay-Timestamp",
                "Wechatpay-Nonce",
                "Wechatpay-Serial",
                "Wechatpay-Signature-Type",
            )
        ],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: CallbackAnswerSerializer, 400: CallbackAnswerSerializer},
    )
    def post(self, request, *args, **kwargs):
        result = services.payment_callback(
            backend=PaymentBackend.WECHATPAY, body=request.body, headers=request.headers
        )
        ok = result.status == 200
        return Response({"code": "SUCCESS" if ok else "FAIL", "message": result.code}, status=result.status)


@method_decorator(csrf_exempt, name="dispatch")
class AlipayCallbackView(APIView):
    """Alipay's asynchronous notification (异步通知): a form post signed RSA2 over its sorted parameters with
    the Alipay private key, checked with the Alipay public key. Answered with the plain text ``success``
    when processed or already processed (Alipay stops sending), ``fail`` otherwise (it sends again)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "payment_callback"

    @extend_schema(
        summary="支付宝异步通知（仅凭支付宝签名认证）",
        tags=["payments"],
        request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
        responses={(200, "text/plain"): OpenApiTypes.STR, (400, "text/plain"): OpenApiTypes.STR},
    )
    def post(self, request, *args, **kwargs):
        result = services.payment_callback(
            backend=PaymentBackend.ALIPAY, body=request.body, headers=request.headers
        )
        return HttpResponse(
            "success" if result.status == 200 else "fail",
            status=result.status,
            content_type="text/plain; charset=utf-8",
        )


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
        return selectors.rating_list(user=self.request.user)

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
        rating = services.rating_create(
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
            services.rating_appeal(rating=rating, actor=request.user, request=request, **data.validated_data)
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
            services.rating_decide_appeal(
                rating=rating, actor=request.user, request=request, **data.validated_data
            )
        )
