"""Subsidies API for applications (ADR 0030): the applications (a person's own; county staff and county
tokens their county's, 404 outside it), applying (the worker, or counter staff for a worker), and an action
per transition — county review, city review, submit again; the public notice (masked, public read) and the
objections (anyone writes, anonymous ones rate-limited; staff handle them)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from core.api.throttles import AnonRateThrottle
from core.errors import NotFound
from core.permissions import PublicReadOnly, signed_in, token_may_read

from ..choices import REVIEW_QUEUES, ApplicationStatus
from ..models import Application, Objection, ProgramType
from ..services import applications as services
from ..services import notice as notice_services
from ..services.applications import OUTCOMES

TAGS = ["subsidies"]


class SubsidyApplicationSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program_type.code", read_only=True)
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    decision = serializers.IntegerField(source="decision_id", read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "person",
            "program",
            "county",
            "period_start",
            "period_end",
            "status",
            "amount_requested",
            "amount_approved",
            "decision",
            "dedup_reasons",
            "training_claim_id",
            "submitted_at",
            "county_reviewed_at",
            "city_reviewed_at",
            "notice_start",
            "notice_end",
            "approved_at",
            "return_reason",
            "reject_reason",
        ]
        read_only_fields = fields


class SubsidyApplySerializer(serializers.Serializer):
    program = serializers.SlugRelatedField(slug_field="code", queryset=ProgramType.objects.all())
    day = serializers.DateField(help_text="期间内的任一天（按项目的发放周期确定期间）")
    person = serializers.IntegerField(required=False, help_text="窗口代办时的办事群众；本人申请时不填")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    statement = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SubsidyReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=list(OUTCOMES))
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)


class SubsidyResubmitSerializer(serializers.Serializer):
    statement = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ApplicationFilterSet(django_filters.FilterSet):
    """The review queues as reviewers read them: ``queue`` (county: submitted and in county review; city;
    notice), or one ``status``, ``program`` or ``county``."""

    queue = django_filters.ChoiceFilter(
        method="by_queue",
        choices=[
            ("county", gettext_lazy("县级待审")),
            ("city", gettext_lazy("市级待复核")),
            ("notice", gettext_lazy("公示中")),
        ],
        label=gettext_lazy("审核队列"),
    )
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    program = django_filters.CharFilter(field_name="program_type__code", label=gettext_lazy("补贴项目"))
    county = django_filters.CharFilter(field_name="scope_unit__code", label="county")

    class Meta:
        model = Application
        fields = ["queue", "status", "program", "county"]

    def by_queue(self, queryset, name, value):
        return queryset.filter(status__in=REVIEW_QUEUES[value]) if value in REVIEW_QUEUES else queryset


class ApplicationPermission(permissions.BasePermission):
    """Reads: people (scoped) and county tokens with the view permission; writes: people only."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return token_may_read(request, view)
        return signed_in(request.user)


def _step(summary: str, request_serializer):
    return extend_schema(
        summary=summary, tags=TAGS, request=request_serializer, responses={200: SubsidyApplicationSerializer}
    )


@extend_schema_view(
    list=extend_schema(summary="补贴申请（本人的；工作人员为辖区内的）", tags=TAGS),
    retrieve=extend_schema(summary="补贴申请详情", tags=TAGS),
    create=extend_schema(
        summary="申请补贴（本人，或窗口为办事群众代办）",
        tags=TAGS,
        request=SubsidyApplySerializer,
        responses={201: SubsidyApplicationSerializer},
    ),
)
class ApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SubsidyApplicationSerializer
    permission_classes = [ApplicationPermission]
    queryset = Application.objects.all()
    filterset_class = ApplicationFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        qs = Application.objects.visible_to(self.request.user).select_related("program_type", "scope_unit")
        if self.request.query_params.get("queue") in REVIEW_QUEUES:
            return qs.order_by("submitted_at", "id")  # a review queue: the oldest waits longest
        return qs.order_by("-created_at", "-id")

    def _out(self, app, code=status.HTTP_200_OK):
        fresh = self.get_queryset().filter(pk=app.pk).first()
        if fresh is None:  # pragma: no cover - the actor just wrote it
            raise NotFound()
        return Response(
            SubsidyApplicationSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        data = SubsidyApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = request.user
        if values.get("person") and values["person"] != request.user.pk:
            person = User.objects.filter(pk=values["person"], is_active=True).first()
            if person is None:
                raise NotFound()
        app = services.application_submit(
            actor=request.user,
            person=person,
            program=values["program"],
            day=values["day"],
            amount=values.get("amount"),
            statement=values.get("statement", ""),
            request=request,
        )
        return self._out(app, status.HTTP_201_CREATED)

    def _review(self, request, step):
        app = self.get_object()
        data = SubsidyReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        app = step(actor=request.user, application=app, request=request, **data.validated_data)
        return self._out(app)

    @_step("县级审核：通过（转市级复核）、退回或不予通过", SubsidyReviewSerializer)
    @action(detail=True, methods=["post"], url_path="county-review")
    def county_review(self, request, pk=None):
        return self._review(request, services.application_county_review)

    @_step("市级复核：通过（进入公示）、退回或不予通过；县级审核人不能复核", SubsidyReviewSerializer)
    @action(detail=True, methods=["post"], url_path="city-review")
    def city_review(self, request, pk=None):
        return self._review(request, services.application_city_review)

    @_step("退回后重新提交", SubsidyResubmitSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        app = self.get_object()
        data = SubsidyResubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        app = services.application_resubmit(
            actor=request.user, application=app, request=request, **data.validated_data
        )
        return self._out(app)


class SubsidyNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    name = serializers.CharField(help_text="姓名（部分隐藏）")
    id_number = serializers.CharField(help_text="身份证号（部分隐藏）")
    program = serializers.CharField()
    county = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    notice_start = serializers.DateField()
    notice_end = serializers.DateField()


@extend_schema_view(
    list=extend_schema(summary="补贴公示（公开；姓名、身份证号部分隐藏）", tags=TAGS),
    retrieve=extend_schema(summary="公示详情", tags=TAGS),
)
class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SubsidyNoticeSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    queryset = Application.objects.none()

    def get_queryset(self):
        return notice_services.in_notice()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = [notice_services.notice_row(a) for a in (page if page is not None else self.get_queryset())]
        data = SubsidyNoticeSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(SubsidyNoticeSerializer(notice_services.notice_row(self.get_object())).data)


class SubsidyObjectionSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id", read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "application", "text", "status", "submitted_at", "handled_at", "handling_note"]
        read_only_fields = fields


class SubsidyObjectionCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    text = serializers.CharField(max_length=2000)


class SubsidyObjectionHandleSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="true：异议成立，申请退回；false：不成立")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ObjectionPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if view.action == "create":
            return True  # anyone objects during the notice
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return token_may_read(request, view)
        return signed_in(request.user)


@extend_schema_view(
    list=extend_schema(summary="公示异议（工作人员为辖区内的；本人提出的）", tags=TAGS),
    retrieve=extend_schema(summary="公示异议详情", tags=TAGS),
    create=extend_schema(
        summary="对公示中的补贴提出异议（任何人，可匿名；限流）",
        tags=TAGS,
        request=SubsidyObjectionCreateSerializer,
        responses={201: SubsidyObjectionSerializer},
    ),
)
class ObjectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SubsidyObjectionSerializer
    permission_classes = [ObjectionPermission]
    queryset = Objection.objects.none()

    def get_throttles(self):
        if self.action == "create":
            return [AnonRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return Objection.objects.visible_to(self.request.user).order_by("-submitted_at", "-id")

    def create(self, request, *args, **kwargs):
        data = SubsidyObjectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        app = notice_services.in_notice().filter(pk=data.validated_data["application"]).first()
        if app is None:
            raise NotFound()
        objection = notice_services.objection_submit(
            actor=request.user, application=app, text=data.validated_data["text"], request=request
        )
        if not signed_in(request.user):
            return Response({"id": objection.pk, "status": objection.status}, status=status.HTTP_201_CREATED)
        return Response(SubsidyObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="处理异议（成立则申请退回）", tags=TAGS, request=SubsidyObjectionHandleSerializer,
                   responses={200: SubsidyObjectionSerializer})  # fmt: skip
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        objection = self.get_object()
        data = SubsidyObjectionHandleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = notice_services.objection_handle(
            actor=request.user, objection=objection, request=request, **data.validated_data
        )
        return Response(SubsidyObjectionSerializer(objection).data)


ROUTES: list = [
    ("subsidy-applications", ApplicationViewSet, "subsidy-applications"),
    ("subsidy-notices", NoticeViewSet, "subsidy-notices"),
    ("subsidy-objections", ObjectionViewSet, "subsidy-objections"),
]
