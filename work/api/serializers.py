"""Serializers of work and pay: they translate data and have no side effects. A work order shows the
effective status; a worker's name and number are unmasked for the parties of the hire only
(``jobs.permissions.sees_person``), a payee account for the worker only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import IdField
from core.masking import mask_bank_account, mask_name, mask_phone
from jobs.permissions import sees_person

from ..choices import AppealOutcome, CheckMethod, PaymentBackend, PaymentMethod, WorkOrderStatus
from ..gateways import OFFLINE_METHOD_CHOICES
from ..models import HoursCorrection, Payment, Rating, Refund, WorkOrder
from ..selectors import effective_amount, effective_status


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
        """A work order exists only for a hire: its employer sees the worker while the hire is live
        (``sees_person``: until the grace days after this work date)."""
        viewer = getattr(self.context.get("request"), "user", None)
        return sees_person(
            viewer,
            person_id=obj.worker_id,
            counterpart_id=obj.posting.employer.user_id,
            hired_until=obj.work_date,
            unit_id=obj.posting.scope_unit_id,
        )

    @extend_schema_field(serializers.ChoiceField(choices=WorkOrderStatus.choices))
    def get_status(self, obj) -> str:
        return getattr(obj, "effective_status", None) or effective_status(obj)

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True))
    def get_amount(self, obj) -> str | None:
        amount = effective_amount(obj)
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
    confirm_short = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("签到不足30分钟就签退时须为 true（否则返回 short_shift 错误）"),
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
            "checkout_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_payee_account(self, obj) -> str:
        user = self.context["request"].user
        if obj.work_order.worker_id == getattr(user, "pk", None):
            return obj.payee_account
        return mask_bank_account(obj.payee_account)


class PaymentCreateSerializer(serializers.Serializer):
    work_order = IdField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    backend = serializers.ChoiceField(choices=PaymentBackend.choices, required=False)
    idempotency_key = serializers.CharField(
        max_length=64, required=False, help_text=gettext_lazy("也可放在 Idempotency-Key 请求头中")
    )


class PaymentRecordOfflineSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=OFFLINE_METHOD_CHOICES, required=False)
    payee_account = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = [
            "id",
            "payment",
            "amount",
            "reason",
            "status",
            "idempotency_key",
            "provider_ref",
            "succeeded_at",
            "failure_reason",
            "created_at",
        ]
        read_only_fields = fields


class PaymentRefundSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=2, max_length=300)
    idempotency_key = serializers.CharField(
        max_length=64, required=False, help_text=gettext_lazy("也可放在 Idempotency-Key 请求头中")
    )


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
    work_order = IdField()
    stars = serializers.IntegerField(min_value=1, max_value=5)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        help_text=gettext_lazy(
            "从固定列表中选择，最多5个（评价劳动者与评价用工方各有一组，见 work.services.ratings）"
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
