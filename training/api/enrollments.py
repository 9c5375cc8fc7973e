"""Training API: enrollments. A worker lists their own, an institution's staff their classes', county staff
and county systems their county's (404 outside); create enrolls (a seat, else the waiting list, else 400
``class_full``; staff may name the worker: a counter enrollment); ``withdraw`` frees the seat and promotes
the first of the waiting list."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from jobs.permissions import workers_served_by

from ..choices import EnrollmentChannel, EnrollmentStatus
from ..models import Enrollment
from ..selectors import course_get
from ..services.enrollment import enroll, withdraw
from .permissions import SignedInPermission


class EnrollmentSerializer(serializers.ModelSerializer):
    """An enrollment without the person's name or number (their id only)."""

    class_title = serializers.CharField(source="training_class.title", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "training_class",
            "class_title",
            "worker",
            "status",
            "channel",
            "waitlisted_at",
            "withdrawn_at",
            "hours_attended",
            "created_at",
        ]
        read_only_fields = fields


class EnrollmentCreateSerializer(serializers.Serializer):
    training_class = serializers.IntegerField(min_value=1, help_text="the class (open for enrollment)")
    worker = serializers.IntegerField(
        min_value=1, required=False, help_text="staff or a market counter only: the worker served (counter)"
    )


class EnrollmentWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EnrollmentFilter(django_filters.FilterSet):
    training_class = django_filters.NumberFilter(field_name="training_class_id")
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices)

    class Meta:
        model = Enrollment
        fields = ["training_class", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="培训报名（本人的；机构为本机构班级的；工作人员和县级系统为辖区内的）", tags=["training"]
    ),
    retrieve=extend_schema(summary="培训报名详情", tags=["training"]),
    create=extend_schema(
        summary="报名培训班（有名额即报名，满额进入候补，候补也满返回 400 class_full；重复提交返回原报名）",
        tags=["training"],
        request=EnrollmentCreateSerializer,
        responses={201: EnrollmentSerializer, 200: EnrollmentSerializer},
    ),
)
class EnrollmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EnrollmentSerializer
    permission_classes = [SignedInPermission]
    filterset_class = EnrollmentFilter
    queryset = Enrollment.objects.none()

    def get_queryset(self):
        return (
            Enrollment.objects.visible_to(self.request.user)
            .select_related("training_class")
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        data = EnrollmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        training_class = course_get(values["training_class"])
        if training_class is None:
            raise NotFound()
        worker, channel = request.user, EnrollmentChannel.ONLINE
        if values.get("worker") and values["worker"] != request.user.pk:
            worker = workers_served_by(request.user).filter(pk=values["worker"]).first()
            if worker is None:
                raise NotFound()
            channel = EnrollmentChannel.COUNTER
        before = Enrollment.objects.filter(training_class=training_class, worker=worker).exclude(
            status=EnrollmentStatus.WITHDRAWN
        )
        existed = before.exists()
        enrollment = enroll(training_class, worker, request.user, channel, request=request)
        return Response(
            EnrollmentSerializer(enrollment).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="退出培训班（本人或服务台代办；空出的名额由第一位候补递补）",
        tags=["training"],
        request=EnrollmentWithdrawSerializer,
        responses={200: EnrollmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrollment = self.get_object()
        data = EnrollmentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = withdraw(enrollment, request.user, reason=data.validated_data["reason"], request=request)
        return Response(EnrollmentSerializer(enrollment).data)


# (prefix, viewset, basename) registered on the /api/v1/ router by training.api.routes
ROUTES: list = [("training-enrollments", EnrollmentViewSet, "training-enrollment")]
