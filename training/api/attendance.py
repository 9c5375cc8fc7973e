"""Training API: sessions (the classroom code for the institution's screen, sign-in for the trainee),
attendance (the trainee's own, the institution's, the county's; marking by teachers and staff) and results
(recording completion, issuing the certificate). Scoped: a row outside the caller's reach is 404."""

from __future__ import annotations

import django_filters
from django.db.models import Count
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from core.filtersets import IdFilter

from ..choices import AttendanceMethod
from ..models import Attendance, ClassSession, Enrollment, TrainingClass, TrainingResult
from ..services import attendance as services
from ..services import results as result_services
from .permissions import SignedInPermission

ERROR = OpenApiResponse(description="code / message / fields")
CONFLICT = OpenApiResponse(description="invalid_transition（当前状态下不能执行该操作）")


# --- serializers ----------------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    training_class = serializers.IntegerField(source="training_class_id", read_only=True)
    signed_in = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ClassSession
        fields = [
            "id",
            "training_class",
            "starts_at",
            "ends_at",
            "class_hours",
            "topic",
            "teacher",
            "signed_in",
        ]


class QrSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    period_seconds = serializers.IntegerField()
    url = serializers.CharField()


class SignInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=32)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    device_id = serializers.CharField(min_length=16, max_length=64)
    photo = serializers.ImageField(required=False, allow_null=True)


class AttendanceSerializer(serializers.ModelSerializer):
    """A mark, without the position or the device fingerprint (the distance is enough)."""

    status = serializers.CharField(source="status_id", read_only=True)
    marked_by = serializers.IntegerField(source="marked_by_id", read_only=True, allow_null=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = [
            "id",
            "session",
            "enrollment",
            "status",
            "method",
            "marked_by",
            "signed_at",
            "distance_m",
            "flagged",
            "flag_reason",
            "note",
            "has_photo",
            "photo_sha256",
        ]
        read_only_fields = fields

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


class MarkSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    status = serializers.CharField(max_length=16)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CertificateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    issuer = serializers.CharField(max_length=100)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True)


class ResultSerializer(serializers.ModelSerializer):
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = TrainingResult
        fields = [
            "id",
            "enrollment",
            "hours_attended",
            "hours_required",
            "exam_score",
            "passed",
            "completed",
            "completed_on",
            "recorded_at",
            "certificate",
        ]
        read_only_fields = fields

    def get_certificate(self, obj) -> str | None:
        cert = getattr(obj.enrollment, "certificate", None)
        return cert.number if cert else None


class ResultCreateSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    exam_score = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    passed = serializers.BooleanField()


# --- filtersets ---------------------------------------------------------------------------------------------


class SessionFilterSet(django_filters.FilterSet):
    training_class = IdFilter(field_name="training_class_id")

    class Meta:
        model = ClassSession
        fields = ["training_class"]


class AttendanceFilterSet(django_filters.FilterSet):
    session = IdFilter(field_name="session_id")
    enrollment = IdFilter(field_name="enrollment_id")
    training_class = IdFilter(field_name="session__training_class_id")
    method = django_filters.ChoiceFilter(choices=AttendanceMethod.choices)
    flagged = django_filters.BooleanFilter()

    class Meta:
        model = Attendance
        fields = ["session", "enrollment", "training_class", "method", "flagged"]


class ResultFilterSet(django_filters.FilterSet):
    training_class = IdFilter(field_name="enrollment__training_class_id")
    completed = django_filters.BooleanFilter()

    class Meta:
        model = TrainingResult
        fields = ["training_class", "completed"]


# --- viewsets -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="培训课次（本机构的；工作人员为辖区内的）", tags=["training"]),
    retrieve=extend_schema(summary="培训课次详情", tags=["training"]),
)
class TrainingSessionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SessionSerializer
    permission_classes = [SignedInPermission]
    filterset_class = SessionFilterSet
    queryset = ClassSession.objects.none()
    ordering_fields = ["starts_at"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "sign_in":  # a trainee's own classes
            return ClassSession.objects.filter(training_class__enrollments__worker_id=user.pk).distinct()
        classes = TrainingClass.objects.visible_to(user).values("pk")
        return (
            ClassSession.objects.filter(training_class__in=classes)
            .annotate(signed_in=Count("attendance"))
            .order_by("starts_at", "id")
        )

    @extend_schema(
        summary="教室屏幕的当前签到码及其失效时间（本机构人员和辖区工作人员）",
        tags=["training"],
        responses={200: QrSerializer},
    )
    @action(detail=True, methods=["get"])
    def qr(self, request, pk=None):
        session = self.get_object()
        if not services.may_see_class(request.user, session.training_class):
            raise NotFound()
        code = services.qr_current(session)
        url = request.build_absolute_uri(reverse("training:signin", args=[session.pk])) + f"?t={code.token}"
        data = {
            "token": code.token,
            "expires_at": code.expires_at,
            "period_seconds": services.qr_period(),
            "url": url,
        }
        return Response(QrSerializer(data).data)

    @extend_schema(
        summary="扫码签到（学员本人；须在签到时间内、签到范围内，一部设备每节课只签一人）",
        tags=["training"],
        request={"multipart/form-data": SignInSerializer, "application/json": SignInSerializer},
        responses={201: AttendanceSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request, pk=None):
        session = self.get_object()
        data = SignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        row = services.qr_sign_in(
            session=session,
            worker=request.user,
            token=values["token"],
            lat=values.get("lat"),
            lng=values.get("lng"),
            device_id=values["device_id"],
            photo=values.get("photo"),
            request=request,
        )
        return Response(AttendanceSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="考勤记录（本人的、本机构的；工作人员为辖区内的）", tags=["training"]),
    retrieve=extend_schema(summary="考勤记录详情", tags=["training"]),
)
class TrainingAttendanceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AttendanceSerializer
    permission_classes = [SignedInPermission]
    filterset_class = AttendanceFilterSet
    queryset = Attendance.objects.none()
    ordering_fields = ["signed_at"]

    def get_queryset(self):
        return services.attendance_visible_to(self.request.user).order_by("session_id", "enrollment_id", "id")

    @extend_schema(
        summary="教师或工作人员登记考勤（已登记的可在结业前修改，留痕）",
        tags=["training"],
        request=MarkSerializer,
        responses={200: AttendanceSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    )
    @action(detail=False, methods=["post"])
    def mark(self, request):
        data = MarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        enrollment = Enrollment.objects.visible_to(request.user).filter(pk=values["enrollment"]).first()
        if enrollment is None:
            raise NotFound()
        session = ClassSession.objects.filter(
            pk=values["session"], training_class_id=enrollment.training_class_id
        ).first()
        if session is None:
            raise NotFound()
        row = services.teacher_mark(
            session=session,
            enrollment=enrollment,
            status_code=values["status"],
            actor=request.user,
            note=values["note"],
            request=request,
        )
        return Response(AttendanceSerializer(row).data)


@extend_schema_view(
    list=extend_schema(summary="结业结果（本人的、本机构的；工作人员为辖区内的）", tags=["training"]),
    retrieve=extend_schema(summary="结业结果详情", tags=["training"]),
    create=extend_schema(
        summary="登记考核与结业（本机构人员或辖区工作人员；最后一节课结束后）",
        tags=["training"],
        request=ResultCreateSerializer,
        responses={201: ResultSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    ),
)
class TrainingResultViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ResultSerializer
    permission_classes = [SignedInPermission]
    filterset_class = ResultFilterSet
    queryset = TrainingResult.objects.none()
    ordering_fields = ["recorded_at"]

    def get_queryset(self):
        enrollments = Enrollment.objects.visible_to(self.request.user).values("pk")
        return (
            TrainingResult.objects.filter(enrollment__in=enrollments)
            .select_related("enrollment__certificate")
            .order_by("-recorded_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        data = ResultCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        enrollment = Enrollment.objects.visible_to(request.user).filter(pk=values["enrollment"]).first()
        if enrollment is None:
            raise NotFound()
        result = result_services.result_record(
            enrollment=enrollment,
            actor=request.user,
            exam_score=values.get("exam_score"),
            passed=values["passed"],
            request=request,
        )
        return Response(ResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记证书（已结业学员；同时写入学员求职登记并标为已核验）",
        tags=["training"],
        request=CertificateSerializer,
        responses={200: ResultSerializer, 400: ERROR, 403: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def certificate(self, request, pk=None):
        result = self.get_object()
        data = CertificateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result_services.certificate_issue(
            enrollment=result.enrollment,
            actor=request.user,
            number=values["number"],
            issuer=values["issuer"],
            issued_on=values["issued_on"],
            expires_on=values.get("expires_on"),
            request=request,
        )
        result = self.get_queryset().get(pk=result.pk)
        return Response(ResultSerializer(result).data)


# (prefix, viewset, basename) registered on the /api/v1/ router by training.api.routes
ROUTES: list = [
    ("training-sessions", TrainingSessionViewSet, "training-session"),
    ("training-attendance", TrainingAttendanceViewSet, "training-attendance"),
    ("training-results", TrainingResultViewSet, "training-result"),
]
