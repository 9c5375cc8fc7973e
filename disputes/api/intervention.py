"""The API of timely intervention, scoped by county (404 outside it): the respondent's answer (the respondent
on record writes it; staff list them), mediation records and the agreement (staff write; the complainant
reads their own case's and confirms receipt of the agreed payment), the complainant's rating, and visits back
(staff). Errors in the one shape; a second answer, rating or confirmation is 409. The respondent reads none of
the mediation rows here (their notes and participants may name a withheld complainant)."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from core.permissions import signed_in, token_may_read
from core.scope import scope_of
from work.models import WorkOrder

from .. import services
from ..choices import AnswerPosition, MediationOutcome, VisitMethod
from ..models import AnswerLine, Case, MediationRecord, RespondentAnswer, SatisfactionRating, VisitBack

TAGS = ["disputes"]


class SignedInPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return token_may_read(request, view)
        return signed_in(request.user)


def _case_for(user, pk) -> Case:
    case = Case.objects.visible_to(user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def _staff_q(user, prefix: str = "case__") -> Q:
    scope = scope_of(user)
    if scope.all:
        return Q()
    return Q(**{f"{prefix}scope_unit__in": scope.unit_ids}) if scope.unit_ids else Q(pk__in=[])


# --- serializers ------------------------------------------------------------------------------------------------


class AnswerLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnswerLine
        fields = ["claim", "position", "accepted_amount"]
        read_only_fields = fields


class RespondentAnswerSerializer(serializers.ModelSerializer):
    lines = AnswerLineSerializer(many=True, read_only=True)

    class Meta:
        model = RespondentAnswer
        fields = ["id", "case", "account", "answered_at", "lines"]
        read_only_fields = fields


class AnswerLineInputSerializer(serializers.Serializer):
    claim = serializers.IntegerField()
    position = serializers.ChoiceField(choices=AnswerPosition.choices)
    accepted_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )


class AnswerCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    account = serializers.CharField(max_length=4000)
    lines = AnswerLineInputSerializer(many=True)


class MediationRecordSerializer(serializers.ModelSerializer):
    payment_status = serializers.CharField(source="payment.status", read_only=True, default=None)
    paid = serializers.SerializerMethodField()

    class Meta:
        model = MediationRecord
        fields = [
            "id",
            "case",
            "held_on",
            "participants",
            "notes",
            "outcome",
            "agreed_amount",
            "pay_by",
            "terms",
            "work_order",
            "payment",
            "payment_status",
            "paid",
            "paid_declared_at",
            "receipt_confirmed_at",
        ]
        read_only_fields = fields

    def get_paid(self, obj) -> bool:
        return services.agreement_paid(obj) if obj.is_agreement_to_pay else False


class MediationCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    held_on = serializers.DateField()
    participants = serializers.CharField(max_length=300)
    outcome = serializers.ChoiceField(choices=MediationOutcome.choices)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    agreed_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    pay_by = serializers.DateField(required=False, allow_null=True, default=None)
    terms = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    work_order = serializers.IntegerField(required=False, allow_null=True, default=None)


class CaseRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SatisfactionRating
        fields = ["id", "case", "stars", "comment", "rated_at"]
        read_only_fields = fields


class CaseRatingCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VisitBackSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitBack
        fields = ["id", "case", "visited_on", "method", "notes"]
        read_only_fields = fields


class VisitBackCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    visited_on = serializers.DateField()
    method = serializers.ChoiceField(choices=VisitMethod.choices)
    notes = serializers.CharField(max_length=2000)


# --- viewsets ---------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="被投诉方答复（工作人员为辖区内的；被投诉方为本人的）", tags=TAGS),
    retrieve=extend_schema(summary="被投诉方答复详情", tags=TAGS),
    create=extend_schema(
        summary="被投诉方答复（已受理案件的被投诉用工方本人；每件只能答复一次：409 already_answered）",
        tags=TAGS,
        request=AnswerCreateSerializer,
        responses={201: RespondentAnswerSerializer},
    ),
)
class RespondentAnswerViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RespondentAnswerSerializer
    permission_classes = [SignedInPermission]
    queryset = RespondentAnswer.objects.none()

    def get_queryset(self):
        user = self.request.user
        return (
            RespondentAnswer.objects.filter(_staff_q(user) | Q(answered_by_id=getattr(user, "pk", None)))
            .prefetch_related("lines")
            .order_by("-answered_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        data = AnswerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        answer = services.answer_submit(
            case=_case_for(request.user, values["case"]),
            actor=request.user,
            account=values["account"],
            positions={
                line["claim"]: (line["position"], line["accepted_amount"]) for line in values["lines"]
            },
            request=request,
        )
        return Response(RespondentAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="调解记录（工作人员为辖区内的；投诉人为本人案件的）", tags=TAGS),
    retrieve=extend_schema(summary="调解记录详情", tags=TAGS),
    create=extend_schema(
        summary="记录调解（辖区工作人员；已受理的案件开始调解；达成协议的写明协议内容、金额和期限）",
        tags=TAGS,
        request=MediationCreateSerializer,
        responses={201: MediationRecordSerializer},
    ),
)
class MediationRecordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MediationRecordSerializer
    permission_classes = [SignedInPermission]
    queryset = MediationRecord.objects.none()

    def get_queryset(self):
        user = self.request.user
        return (
            MediationRecord.objects.filter(_staff_q(user) | Q(case__complainant_id=getattr(user, "pk", None)))
            .select_related("payment")
            .order_by("held_on", "id")
        )

    def create(self, request, *args, **kwargs):
        data = MediationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = _case_for(request.user, values.pop("case"))
        order_id = values.pop("work_order")
        order = WorkOrder.objects.filter(pk=order_id).first() if order_id else None
        if order_id and order is None:
            order = WorkOrder(pk=order_id)  # the service refuses it on the field
        record = services.mediation_record(
            case=case, actor=request.user, work_order=order, request=request, **values
        )
        return Response(MediationRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="确认收到调解协议款项（投诉人本人；案件随即办结；再次确认 409 already_confirmed）",
        tags=TAGS,
        request=None,
        responses={200: MediationRecordSerializer},
    )
    @action(detail=True, methods=["post"], url_path="confirm-receipt")
    def confirm_receipt(self, request, pk=None):
        record = self.get_object()
        services.agreement_confirm_receipt(record=record, actor=request.user, request=request)
        record.refresh_from_db()
        return Response(MediationRecordSerializer(record).data)


@extend_schema_view(
    list=extend_schema(summary="满意度评价（工作人员为辖区内的；投诉人为本人的）", tags=TAGS),
    retrieve=extend_schema(summary="满意度评价详情", tags=TAGS),
    create=extend_schema(
        summary="评价处理（投诉人本人，办结后一次：409 already_rated）",
        tags=TAGS,
        request=CaseRatingCreateSerializer,
        responses={201: CaseRatingSerializer},
    ),
)
class CaseRatingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseRatingSerializer
    permission_classes = [SignedInPermission]
    queryset = SatisfactionRating.objects.none()

    def get_queryset(self):
        user = self.request.user
        return SatisfactionRating.objects.filter(
            _staff_q(user) | Q(rated_by_id=getattr(user, "pk", None))
        ).order_by("-rated_at", "-id")

    def create(self, request, *args, **kwargs):
        data = CaseRatingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = _case_for(request.user, values.pop("case"))
        rating = services.rating_submit(case=case, actor=request.user, request=request, **values)
        return Response(CaseRatingSerializer(rating).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="回访记录（辖区工作人员）", tags=TAGS),
    retrieve=extend_schema(summary="回访记录详情", tags=TAGS),
    create=extend_schema(
        summary="记录回访（辖区工作人员，案件办结后）",
        tags=TAGS,
        request=VisitBackCreateSerializer,
        responses={201: VisitBackSerializer},
    ),
)
class VisitBackViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VisitBackSerializer
    permission_classes = [SignedInPermission]
    queryset = VisitBack.objects.none()

    def get_queryset(self):
        return VisitBack.objects.filter(_staff_q(self.request.user)).order_by("-visited_on", "-id")

    def create(self, request, *args, **kwargs):
        data = VisitBackCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = _case_for(request.user, values.pop("case"))
        visit = services.visit_back_record(case=case, actor=request.user, request=request, **values)
        return Response(VisitBackSerializer(visit).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("case-answers", RespondentAnswerViewSet, "case-answer"),
    ("mediation-records", MediationRecordViewSet, "mediation-record"),
    ("case-ratings", CaseRatingViewSet, "case-rating"),
    ("visit-backs", VisitBackViewSet, "visit-back"),
]
