"""The work-order API (/api/v1/work-orders/): scoped lists (a worker their own, an employer their postings',
county staff their county's), and one action per workflow step, each validating an input serializer and
calling one service in jobs.work. Reads show the effective status: approved once the approval deadline has
passed, even before the periodic scan has stored it."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.masking import mask_name, mask_phone

from .. import work
from ..choices import CheckMethod, WorkOrderStatus
from ..models import HoursCorrection, WorkOrder
from ..permissions import AuthenticatedRead, can_serve_counter, is_employer, is_jobs_staff, is_worker

CONFLICT = OpenApiResponse(description="invalid_transition（当前状态下不能执行该操作）")
ERROR = OpenApiResponse(description="code / message / fields")
NOT_FOUND = OpenApiResponse(description="not_found（不在您的范围内）")


# --- permissions: who may try a step at all; the service checks the relation to the order ---------------


class IsWorkerOrCounter(permissions.BasePermission):
    """Confirm, check in, check out: the worker, or staff / market counter staff acting for them."""

    def has_permission(self, request, view):
        user = request.user
        return is_worker(user) or is_jobs_staff(user) or can_serve_counter(user)


class IsEmployerOrStaff(permissions.BasePermission):
    """Record end, correct hours, approve, no-show: the employer, or staff in scope."""

    def has_permission(self, request, view):
        return is_employer(request.user) or is_jobs_staff(request.user)


class IsWorkOrderParty(permissions.BasePermission):
    """Cancel: the worker, the employer or staff."""

    def has_permission(self, request, view):
        user = request.user
        return is_worker(user) or is_employer(user) or is_jobs_staff(user)


# --- serializers ------------------------------------------------------------------------------------------


class HoursCorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = HoursCorrection
        fields = ["id", "hours_before", "hours_after", "pieces_before", "pieces_after", "reason", "at"]
        read_only_fields = fields


class WorkOrderSerializer(serializers.ModelSerializer):
    """A work order as its reader may see it: the worker's name and number in full for the worker and the
    employer, masked for everyone else; the QR token only for the employer (who shows it)."""

    status = serializers.SerializerMethodField()
    stored_status = serializers.ChoiceField(source="status", choices=WorkOrderStatus.choices, read_only=True)
    amount = serializers.SerializerMethodField()
    posting_title = serializers.CharField(source="posting.title", read_only=True)
    employer_name = serializers.CharField(source="posting.employer.display_name", read_only=True)
    address = serializers.CharField(source="posting.address", read_only=True)
    wage_amount = serializers.DecimalField(
        source="posting.wage_amount", max_digits=12, decimal_places=4, read_only=True
    )
    wage_unit = serializers.CharField(source="posting.wage_unit", read_only=True)
    worker_name = serializers.SerializerMethodField()
    worker_phone = serializers.SerializerMethodField()
    qr_token = serializers.SerializerMethodField()
    corrections = HoursCorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "application",
            "posting",
            "posting_title",
            "employer_name",
            "address",
            "worker",
            "worker_name",
            "worker_phone",
            "work_date",
            "starts_at",
            "ends_at",
            "status",
            "stored_status",
            "confirmed_at",
            "checked_in_at",
            "check_in_method",
            "check_in_distance_m",
            "checked_out_at",
            "check_out_method",
            "hours_worked",
            "pieces",
            "wage_amount",
            "wage_unit",
            "amount",
            "daily_wage",
            "approval_deadline",
            "approved_at",
            "auto_approved",
            "settle_deadline",
            "settled_at",
            "cancelled_by",
            "cancel_reason",
            "cancel_notice_hours",
            "qr_token",
            "corrections",
        ]
        read_only_fields = fields

    def _viewer(self):
        return getattr(getattr(self.context.get("request"), "user", None), "pk", None)

    def _party(self, obj) -> bool:
        viewer = self._viewer()
        return viewer is not None and viewer in (obj.worker_id, obj.posting.employer.user_id)

    @extend_schema_field(serializers.ChoiceField(choices=WorkOrderStatus.choices))
    def get_status(self, obj) -> str:
        return getattr(obj, "effective_status", None) or work.effective_status(obj)

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True))
    def get_amount(self, obj) -> str | None:
        amount = work.effective_amount(obj)
        return None if amount is None else f"{amount:.2f}"

    def get_worker_name(self, obj) -> str:
        return obj.worker.real_name if self._party(obj) else mask_name(obj.worker.real_name)

    def get_worker_phone(self, obj) -> str:
        return obj.worker.phone if self._party(obj) else mask_phone(obj.worker.phone)

    def get_qr_token(self, obj) -> str:
        return obj.qr_token if self._viewer() == obj.posting.employer.user_id else ""


class CheckSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=CheckMethod.choices,
        help_text=gettext_lazy(
            "gps：手机定位（须提供 lat、lng）；qr：扫码（须提供 qr_token）；counter：服务台代签（employer 不可用于签到）"
        ),
    )
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    qr_token = serializers.CharField(required=False, allow_blank=True, max_length=64)


class CheckOutSerializer(CheckSerializer):
    pieces = serializers.DecimalField(
        required=False, allow_null=True, max_digits=10, decimal_places=2, min_value=0
    )


class RecordEndSerializer(serializers.Serializer):
    ended_at = serializers.DateTimeField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class CorrectHoursSerializer(serializers.Serializer):
    hours = serializers.DecimalField(
        required=False, allow_null=True, max_digits=5, decimal_places=2, min_value=0, max_value=24
    )
    pieces = serializers.DecimalField(
        required=False, allow_null=True, max_digits=10, decimal_places=2, min_value=0
    )
    reason = serializers.CharField(max_length=300)


class ApproveSerializer(serializers.Serializer):
    pieces = serializers.DecimalField(
        required=False, allow_null=True, max_digits=10, decimal_places=2, min_value=0
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


# --- filters and the viewset ------------------------------------------------------------------------------


class WorkOrderFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="effective_status",
        choices=WorkOrderStatus.choices,
        label=gettext_lazy("状态（按实际状态）"),
    )
    posting = django_filters.NumberFilter(field_name="posting_id", label=gettext_lazy("招聘信息"))
    date_from = django_filters.DateFilter(
        field_name="work_date", lookup_expr="gte", label=gettext_lazy("工作日期起")
    )
    date_to = django_filters.DateFilter(
        field_name="work_date", lookup_expr="lte", label=gettext_lazy("工作日期止")
    )

    class Meta:
        model = WorkOrder
        fields = ["status", "posting", "date_from", "date_to"]


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
        return work.work_order_list(user=self.request.user).prefetch_related("corrections")

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
            work.work_order_confirm(order=self.get_object(), actor=request.user, request=request)
        )

    @_step("签到（手机定位须在工作地点范围内；扫用工方出示的签到码；或服务台代签）", CheckSerializer)
    @action(detail=True, methods=["post"], url_path="check-in", permission_classes=[IsWorkerOrCounter])
    def check_in(self, request, pk=None):
        order = self.get_object()
        data = self._input(CheckSerializer)
        return self._done(work.work_order_check_in(order=order, actor=request.user, request=request, **data))

    @_step("签退（同签到方式；工时由签到、签退时间计算，计件可报完成件数）", CheckOutSerializer)
    @action(detail=True, methods=["post"], url_path="check-out", permission_classes=[IsWorkerOrCounter])
    def check_out(self, request, pk=None):
        order = self.get_object()
        data = self._input(CheckOutSerializer)
        return self._done(work.work_order_check_out(order=order, actor=request.user, request=request, **data))

    @_step("记录结束时间（劳动者未签退时，由用工方记录）", RecordEndSerializer)
    @action(detail=True, methods=["post"], url_path="record-end", permission_classes=[IsEmployerOrStaff])
    def record_end(self, request, pk=None):
        order = self.get_object()
        data = self._input(RecordEndSerializer)
        return self._done(
            work.work_order_record_end(order=order, actor=request.user, request=request, **data)
        )

    @_step("更正工时或件数（用工方，须写明原因；劳动者可见每一次更正）", CorrectHoursSerializer)
    @action(detail=True, methods=["post"], url_path="correct-hours", permission_classes=[IsEmployerOrStaff])
    def correct_hours(self, request, pk=None):
        order = self.get_object()
        data = self._input(CorrectHoursSerializer)
        work.work_order_correct_hours(order=order, actor=request.user, request=request, **data)
        return self._done(order)

    @_step("确认工时和金额（用工方；按工资单位计算应付金额）", ApproveSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsEmployerOrStaff])
    def approve(self, request, pk=None):
        order = self.get_object()
        data = self._input(ApproveSerializer)
        return self._done(work.work_order_approve(order=order, actor=request.user, request=request, **data))

    @_step("取消用工（劳动者、用工方或工作人员；记录取消方和提前小时数）", ReasonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsWorkOrderParty])
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self._input(ReasonSerializer)
        return self._done(work.work_order_cancel(order=order, actor=request.user, request=request, **data))

    @_step("记为未到岗（用工方或工作人员，开工时间之后）", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="no-show", permission_classes=[IsEmployerOrStaff])
    def no_show(self, request, pk=None):
        order = self.get_object()
        data = self._input(ReasonSerializer)
        return self._done(
            work.work_order_mark_no_show(order=order, actor=request.user, request=request, **data)
        )
