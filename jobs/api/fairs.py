"""`/api/v1/job-fairs/`: fairs (集市, 夜市) that anyone can read while they are upcoming; staff create them
and record outcomes, employers book booths, workers register. Writes go through ``jobs.fairs``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotPermitted
from core.models import ScopeUnit
from core.permissions import has_perms
from markets.models import Market

from .. import fairs
from ..models import EmployerProfile, FairBooth, FairRegistration, JobFair

# --- serializers --------------------------------------------------------------------------------------------


class JobFairSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    county_name = serializers.CharField(source="scope_unit.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    market_name = serializers.CharField(source="market.name", read_only=True, default=None)
    booths_booked = serializers.SerializerMethodField()
    booths_left = serializers.SerializerMethodField()
    registrations = serializers.SerializerMethodField()

    class Meta:
        model = JobFair
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "theme",
            "county",
            "county_name",
            "market",
            "market_name",
            "place",
            "starts_at",
            "ends_at",
            "booth_capacity",
            "booths_booked",
            "booths_left",
            "registrations",
            "attendance",
            "intents",
            "hires",
        ]

    def _booths(self, obj) -> int:
        count = getattr(obj, "booth_count", None)
        return count if count is not None else obj.booths.count()

    def get_booths_booked(self, obj) -> int:
        return self._booths(obj)

    def get_booths_left(self, obj) -> int:
        return max(obj.booth_capacity - self._booths(obj), 0)

    def get_registrations(self, obj) -> int:
        count = getattr(obj, "registration_count", None)
        return count if count is not None else obj.registrations.count()


class JobFairWriteSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(
        source="scope_unit", slug_field="code", queryset=ScopeUnit.objects.filter(is_active=True)
    )
    market = serializers.PrimaryKeyRelatedField(
        queryset=Market.objects.public(), required=False, allow_null=True, default=None
    )
    place = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("不填则使用所选零工市场的名称和地址。"),
    )

    class Meta:
        model = JobFair
        fields = [
            "kind",
            "title",
            "theme",
            "county",
            "market",
            "place",
            "starts_at",
            "ends_at",
            "booth_capacity",
        ]


class FairBookSerializer(serializers.Serializer):
    positions = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("拟招岗位，例如：电工2名、保洁5名"),
    )


class FairBoothSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.display_name", read_only=True)

    class Meta:
        model = FairBooth
        fields = ["id", "fair", "employer", "employer_name", "positions", "booked_at"]


class FairRegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = FairRegistration
        fields = ["id", "fair", "registered_at", "attended"]


class FairOutcomeSerializer(serializers.Serializer):
    attendance = serializers.IntegerField(min_value=0, help_text=gettext_lazy("到场人数"))
    intents = serializers.IntegerField(min_value=0, help_text=gettext_lazy("达成意向人数"))
    hires = serializers.IntegerField(min_value=0, help_text=gettext_lazy("实际录用人数"))


# --- permissions ----------------------------------------------------------------------------------


class PublicReadStaffCreate(permissions.BasePermission):
    """Anyone reads; creating a fair needs ``jobs.add_jobfair`` (the service checks the county scope)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("jobs.add_jobfair"))


# --- the viewset ------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="招聘会列表（公众：尚未结束的；工作人员：另含管辖范围内已结束的）",
        tags=["jobs"],
        description="Filters: county (GB/T 2260), kind (day=集市, night=夜市), market (id).",
    ),
    retrieve=extend_schema(summary="招聘会详情", tags=["jobs"]),
    create=extend_schema(
        summary="举办招聘会（县级或市级工作人员，限管辖范围）",
        tags=["jobs"],
        request=JobFairWriteSerializer,
        responses={201: JobFairSerializer},
    ),
)
class JobFairViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = JobFairSerializer
    permission_classes = [PublicReadStaffCreate]
    filterset_class = fairs.JobFairFilterSet
    ordering_fields = ["starts_at"]

    def get_queryset(self):
        return fairs.fair_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = JobFairWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fair = fairs.fair_create(actor=request.user, data=dict(data.validated_data), request=request)
        fair = fairs.fair_list(user=request.user).get(pk=fair.pk)
        return Response(JobFairSerializer(fair).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="预订展位（已审核的用工方）",
        tags=["jobs"],
        request=FairBookSerializer,
        responses={
            201: FairBoothSerializer,
            400: OpenApiResponse(description="booths_full, already_booked, fair_closed"),
            403: OpenApiResponse(description="没有用工登记"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def book(self, request, pk=None):
        fair = self.get_object()
        employer = EmployerProfile.objects.filter(user=request.user).first()
        if employer is None:
            raise NotPermitted(_("请先完成用工登记，再预订展位。"))
        data = FairBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booth = fairs.fair_book_booth(
            fair=fair, employer=employer, actor=request.user, request=request, **data.validated_data
        )
        return Response(FairBoothSerializer(booth).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="求职者报名招聘会",
        tags=["jobs"],
        request=None,
        responses={
            201: FairRegistrationSerializer,
            400: OpenApiResponse(description="already_registered, fair_closed"),
            403: OpenApiResponse(description="没有求职登记"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def register(self, request, pk=None):
        fair = self.get_object()
        registration = fairs.fair_register_worker(
            fair=fair, worker=request.user, actor=request.user, request=request
        )
        return Response(FairRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记招聘会成效（到场、意向、录用人数；工作人员，限管辖范围）",
        tags=["jobs"],
        request=FairOutcomeSerializer,
        responses={200: JobFairSerializer, 400: OpenApiResponse(description="invalid, fair_not_started")},
    )
    @action(detail=True, methods=["post"], permission_classes=[has_perms("jobs.change_jobfair")])
    def outcome(self, request, pk=None):
        fair = self.get_object()
        data = FairOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fairs.fair_record_outcome(fair=fair, actor=request.user, request=request, **data.validated_data)
        return Response(JobFairSerializer(fairs.fair_list(user=request.user).get(pk=fair.pk)).data)
