"""Subsidies API: disbursement batches (an action per step: generate, issue, export the bank's file, import
the bank's result, close), their runs' progress, and the payments (masked accounts; re-issue a failed one).
Scoped by county: another county's batch or payment is a 404. The bank's payment file — the one place full
account numbers leave the portal — is the answer of a POST, audited as an export."""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.filtersets import IdFilter
from core.models import ScopeUnit
from core.permissions import has_perms

from .. import bankfiles, selectors
from ..choices import BatchStatus, PaymentStatus
from ..models import Application, DisbursementBatch, DisbursementRun, Payment, ProgramType
from ..services import disbursement as services
from .permissions import SignedInRead, StaffRead

DISBURSE = has_perms(services.DISBURSE_PERMISSION)


class DisbursementBatchSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(source="program_type", slug_field="code", read_only=True)
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True)

    class Meta:
        model = DisbursementBatch
        fields = [
            "id",
            "number",
            "program",
            "county",
            "status",
            "note",
            "created_by",
            "payment_count",
            "total_amount",
            "paid_count",
            "paid_amount",
            "failed_count",
            "returned_count",
            "exported_at",
            "export_count",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


class BatchCreateSerializer(serializers.Serializer):
    program = serializers.SlugRelatedField(slug_field="code", queryset=ProgramType.objects.all())
    county = serializers.SlugRelatedField(
        slug_field="code", queryset=ScopeUnit.objects.filter(is_active=True)
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IssueSerializer(serializers.Serializer):
    application = serializers.IntegerField(help_text=_("已批准的补贴申请 ID"))


class ExportSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=bankfiles.FORMATS, default="csv")


class ResultUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("银行回盘文件（CSV 或 XLSX）"))


class DisbursementRunSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="batch_id", read_only=True)

    class Meta:
        model = DisbursementRun
        fields = [
            "id",
            "batch",
            "kind",
            "status",
            "file_name",
            "rows_total",
            "rows_done",
            "errors",
            "counts",
            "report",
            "failure",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class SubsidyPaymentSerializer(serializers.ModelSerializer):
    """A payment with its account as masked when the payment was made (the full number is never here)."""

    batch = serializers.CharField(source="batch.number", read_only=True)
    application = serializers.CharField(source="application.number", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    account = serializers.CharField(source="account_masked", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "batch",
            "application",
            "person",
            "attempt",
            "idempotency_key",
            "amount",
            "status",
            "account_kind",
            "bank_name",
            "account",
            "bank_reference",
            "failure_reason",
            "result_at",
            "created_at",
        ]
        read_only_fields = fields


class ReissueSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text=_("同一项目、同一县（市、区）的草稿批次 ID"))


class BatchFilterSet(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program_type__code", label=_("补贴项目编码"))
    county = django_filters.CharFilter(field_name="scope_unit__code", label=_("县（市、区）代码"))
    status = django_filters.ChoiceFilter(choices=BatchStatus.choices)

    class Meta:
        model = DisbursementBatch
        fields = ["program", "county", "status"]


class PaymentFilterSet(django_filters.FilterSet):
    batch = IdFilter(field_name="batch_id", label=_("批次"))
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    person = IdFilter(field_name="person_id", label=_("人员"))

    class Meta:
        model = Payment
        fields = ["batch", "status", "person"]


@extend_schema_view(
    list=extend_schema(summary="补贴发放批次（辖区内）", tags=["subsidies"]),
    retrieve=extend_schema(summary="发放批次详情及合计", tags=["subsidies"]),
)
class BatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DisbursementBatchSerializer
    permission_classes = [StaffRead]
    filterset_class = BatchFilterSet
    queryset = DisbursementBatch.objects.all()

    def get_permissions(self):
        if self.action == "create":
            return [DISBURSE()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.batch_list(user=self.request.user)

    @extend_schema(
        summary="新建发放批次（草稿）",
        tags=["subsidies"],
        request=BatchCreateSerializer,
        responses={201: DisbursementBatchSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = BatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.batch_create(
            actor=request.user,
            program_type=data.validated_data["program"],
            scope_unit=data.validated_data["county"],
            note=data.validated_data["note"],
            request=request,
        )
        return Response(DisbursementBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="生成发放明细（后台任务；进行中时再次发起会被拒绝）",
        tags=["subsidies"],
        request=None,
        responses={202: DisbursementRunSerializer, 404: OpenApiResponse(), 409: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"], permission_classes=[DISBURSE])
    def generate(self, request, pk=None):
        run = services.batch_generate_start(batch=self.get_object(), actor=request.user, request=request)
        return Response(DisbursementRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="单笔发放：把一件已批准的申请加入草稿批次（重复点击返回同一笔）",
        tags=["subsidies"],
        request=IssueSerializer,
        responses={
            200: SubsidyPaymentSerializer,
            403: OpenApiResponse(),
            404: OpenApiResponse(),
            409: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[DISBURSE])
    def issue(self, request, pk=None):
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = (
            Application.objects.visible_to(request.user).filter(pk=data.validated_data["application"]).first()
        )
        payment = services.payment_issue(
            batch=self.get_object(), application=application or 0, actor=request.user, request=request
        )
        return Response(SubsidyPaymentSerializer(payment).data)

    @extend_schema(
        summary="生成并下载银行代发文件（含完整账号，记录导出）",
        tags=["subsidies"],
        request=ExportSerializer,
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 403: OpenApiResponse(), 409: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"], permission_classes=[DISBURSE])
    def export(self, request, pk=None):
        data = ExportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fmt = data.validated_data["format"]
        name, content = services.batch_export(
            batch=self.get_object(), actor=request.user, fmt=fmt, request=request
        )
        response = HttpResponse(
            content, content_type=bankfiles.XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="导入银行回盘文件（后台任务，逐行结果见任务）",
        tags=["subsidies"],
        request={"multipart/form-data": ResultUploadSerializer},
        responses={202: DisbursementRunSerializer, 404: OpenApiResponse(), 409: OpenApiResponse()},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import-result",
        permission_classes=[DISBURSE],
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_result(self, request, pk=None):
        data = ResultUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.result_import_start(
            batch=self.get_object(),
            actor=request.user,
            uploaded_file=data.validated_data["file"],
            request=request,
        )
        return Response(DisbursementRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="关闭批次（全部明细已有银行结果）",
        tags=["subsidies"],
        request=None,
        responses={200: DisbursementBatchSerializer, 404: OpenApiResponse(), 409: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"], permission_classes=[DISBURSE])
    def close(self, request, pk=None):
        batch = services.batch_close(batch=self.get_object(), actor=request.user, request=request)
        return Response(DisbursementBatchSerializer(batch).data)


@extend_schema_view(
    list=extend_schema(summary="发放任务及进度（已处理行数、问题行数、逐行结果）", tags=["subsidies"]),
    retrieve=extend_schema(summary="发放任务详情", tags=["subsidies"]),
)
class RunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DisbursementRunSerializer
    permission_classes = [StaffRead]
    queryset = DisbursementRun.objects.all()

    def get_queryset(self):
        return selectors.run_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="补贴发放明细（辖区内；本人的；账号脱敏）", tags=["subsidies"]),
    retrieve=extend_schema(summary="发放明细详情（账号脱敏）", tags=["subsidies"]),
)
class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SubsidyPaymentSerializer
    permission_classes = [SignedInRead]
    filterset_class = PaymentFilterSet
    queryset = Payment.objects.all()

    def get_queryset(self):
        return selectors.payment_list(user=self.request.user)

    @extend_schema(
        summary="重新发放（失败或退回的明细，作为下一次发放加入草稿批次）",
        tags=["subsidies"],
        request=ReissueSerializer,
        responses={
            200: SubsidyPaymentSerializer,
            403: OpenApiResponse(),
            404: OpenApiResponse(),
            409: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[DISBURSE])
    def reissue(self, request, pk=None):
        data = ReissueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = selectors.batch_list(user=request.user).filter(pk=data.validated_data["batch"]).first()
        payment = services.payment_reissue(
            payment=self.get_object(), batch=batch or 0, actor=request.user, request=request
        )
        return Response(SubsidyPaymentSerializer(payment).data)


ROUTES: list = [
    ("subsidy-disbursement-batches", BatchViewSet, "subsidy-disbursement-batches"),
    ("subsidy-disbursement-runs", RunViewSet, "subsidy-disbursement-runs"),
    ("subsidy-payments", PaymentViewSet, "subsidy-payments"),
]
