"""Training API: filed institutions (public; staff see their county's applications too) with the filing
workflow as actions; the catalogue with the rate in force today (public); classes (public once approved;
the institution's members and the county's staff see drafts too) with the class workflow as actions."""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.throttles import AnonRateThrottle
from core.models import ScopeUnit
from core.permissions import PublicReadOnly, signed_in
from markets.models import Market

from ..choices import (
    OPEN_CLASS_STATUSES,
    CertificateType,
    InstitutionStatus,
    NewFormOfWork,
    SkillLevel,
)
from ..models import CatalogueItem, CatalogueRate, Institution, TrainingClass
from ..services import classes as class_services
from ..services import institutions as services

# --- serializers --------------------------------------------------------------------------------------------


class TrainingInstitutionSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    county_name = serializers.CharField(source="scope_unit.name", read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "uscc",
            "county",
            "county_name",
            "address",
            "contact_phone",
            "description",
            "status",
            "grade",
            "filing_number",
            "filed_at",
        ]
        read_only_fields = fields


class TrainingReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class TrainingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class TrainingCourseSerializer(serializers.ModelSerializer):
    occupation = serializers.CharField(source="occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", read_only=True)
    min_class_hours = serializers.IntegerField(read_only=True, allow_null=True)
    rate = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    employed_rate = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    shortage = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = CatalogueItem
        fields = [
            "id",
            "code",
            "name",
            "occupation",
            "occupation_name",
            "certificate_type",
            "level",
            "new_form",
            "min_class_hours",
            "rate",
            "employed_rate",
            "shortage",
        ]
        read_only_fields = fields


class TrainingClassSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    course = serializers.CharField(source="item.code", read_only=True)
    course_name = serializers.CharField(source="item.name", read_only=True)
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    seats_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingClass
        fields = [
            "id",
            "title",
            "institution",
            "institution_name",
            "course",
            "course_name",
            "county",
            "status",
            "subsidised",
            "mode",
            "online_platform",
            "venue_kind",
            "market",
            "venue_name",
            "venue_address",
            "venue_lat",
            "venue_lng",
            "capacity",
            "enrolled_count",
            "waitlist_count",
            "seats_left",
            "fee",
            "starts_on",
            "ends_on",
            "enrollment_closes_on",
        ]
        read_only_fields = fields


class TrainingApproveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class TrainingReturnSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300)


# --- filters ------------------------------------------------------------------------------------------------


class CourseFilterSet(django_filters.FilterSet):
    occupation = django_filters.CharFilter(field_name="occupation__code", label=_("工种代码"))
    certificate_type = django_filters.ChoiceFilter(choices=CertificateType.choices, label=_("证书类型"))
    level = django_filters.ChoiceFilter(choices=SkillLevel.choices, label=_("等级"))
    new_form = django_filters.ChoiceFilter(
        choices=[c for c in NewFormOfWork.choices if c[0]], label=_("新就业形态")
    )
    shortage = django_filters.BooleanFilter(field_name="shortage", label=_("急需紧缺工种"))

    class Meta:
        model = CatalogueItem
        fields = ["occupation", "certificate_type", "level", "new_form", "shortage"]


class InstitutionFilterSet(django_filters.FilterSet):
    county = django_filters.ModelChoiceFilter(
        field_name="scope_unit",
        to_field_name="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        label=_("县（市、区）代码"),
    )

    class Meta:
        model = Institution
        fields = ["county", "status", "grade"]


class ClassFilterSet(django_filters.FilterSet):
    occupation = django_filters.CharFilter(field_name="item__occupation__code", label=_("工种代码"))
    county = django_filters.ModelChoiceFilter(
        field_name="scope_unit",
        to_field_name="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        label=_("县（市、区）代码"),
    )
    market = django_filters.ModelChoiceFilter(queryset=Market.objects.all(), label=_("零工市场"))
    starts_from = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte", label=_("开班日期起"))
    starts_to = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte", label=_("开班日期止"))
    subsidised = django_filters.BooleanFilter(label=_("纳入补贴"))

    class Meta:
        model = TrainingClass
        fields = ["occupation", "county", "market", "starts_from", "starts_to", "subsidised"]


# --- views --------------------------------------------------------------------------------------------------


class ReadOrSignedInWrite(permissions.BasePermission):
    """Anyone reads (the public lists); a person signed in may ask for a step, which the service checks."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return signed_in(request.user)


@extend_schema_view(
    list=extend_schema(summary="已备案的培训机构（工作人员另见辖区内的申请）", tags=["training"]),
    retrieve=extend_schema(summary="培训机构详情", tags=["training"]),
)
class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingInstitutionSerializer
    permission_classes = [ReadOrSignedInWrite]
    throttle_classes = [AnonRateThrottle]
    queryset = Institution.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = InstitutionFilterSet

    def get_queryset(self):
        visible = Q(status=InstitutionStatus.FILED)
        user = self.request.user
        if getattr(user, "is_authenticated", False):
            visible |= Q(pk__in=Institution.objects.visible_to(user).values("pk"))
        return Institution.objects.filter(visible).select_related("scope_unit").order_by("name", "id")

    def _done(self, institution):
        institution.refresh_from_db()
        return Response(TrainingInstitutionSerializer(institution).data)

    @extend_schema(
        summary="备案（辖区工作人员）",
        tags=["training"],
        request=TrainingReviewSerializer,
        responses=TrainingInstitutionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="file")
    def file(self, request, pk=None):
        data = TrainingReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        institution = services.institution_review(
            self.get_object(), request.user, True, data.validated_data["note"], request=request
        )
        return self._done(institution)

    @extend_schema(
        summary="退回修改（辖区工作人员，写明意见）",
        tags=["training"],
        request=TrainingReturnSerializer,
        responses=TrainingInstitutionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = TrainingReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        institution = services.institution_review(
            self.get_object(), request.user, False, data.validated_data["note"], request=request
        )
        return self._done(institution)

    def _reason_step(self, request, step):
        data = TrainingReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            step(self.get_object(), request.user, data.validated_data["reason"], request=request)
        )

    @extend_schema(
        summary="暂停（辖区工作人员；其班级停止报名）",
        tags=["training"],
        request=TrainingReasonSerializer,
        responses=TrainingInstitutionSerializer,
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._reason_step(request, services.institution_suspend)

    @extend_schema(
        summary="恢复备案（辖区工作人员）",
        tags=["training"],
        request=TrainingReasonSerializer,
        responses=TrainingInstitutionSerializer,
    )
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._reason_step(request, services.institution_reinstate)

    @extend_schema(
        summary="撤销备案（辖区工作人员）",
        tags=["training"],
        request=TrainingReasonSerializer,
        responses=TrainingInstitutionSerializer,
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._reason_step(request, services.institution_revoke)


def _rate_today(field: str):
    rates = CatalogueRate.objects.effective_on(timezone.localdate()).filter(
        item=OuterRef("pk"), scope_unit__isnull=True
    )
    return Subquery(rates.order_by("-effective_from").values(field)[:1])


@extend_schema_view(
    list=extend_schema(summary="补贴培训目录（今天施行的全市标准）", tags=["training"]),
    retrieve=extend_schema(summary="培训目录项目详情", tags=["training"]),
)
class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingCourseSerializer
    permission_classes = [PublicReadOnly]
    throttle_classes = [AnonRateThrottle]
    queryset = CatalogueItem.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourseFilterSet

    def get_queryset(self):
        return (
            CatalogueItem.objects.filter(is_active=True)
            .select_related("occupation")
            .annotate(
                min_class_hours=_rate_today("min_class_hours"),
                rate=_rate_today("rate"),
                employed_rate=_rate_today("employed_rate"),
                shortage=_rate_today("shortage"),
            )
            .order_by("code")
        )


@extend_schema_view(
    list=extend_schema(
        summary="培训班（公开已批准和开班中的；机构人员和辖区工作人员另见草稿和待审）", tags=["training"]
    ),
    retrieve=extend_schema(summary="培训班详情", tags=["training"]),
)
class ClassViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingClassSerializer
    permission_classes = [ReadOrSignedInWrite]
    throttle_classes = [AnonRateThrottle]
    queryset = TrainingClass.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = ClassFilterSet

    def get_queryset(self):
        visible = Q(status__in=OPEN_CLASS_STATUSES, institution__status=InstitutionStatus.FILED)
        user = self.request.user
        if getattr(user, "is_authenticated", False):
            visible |= Q(pk__in=TrainingClass.objects.visible_to(user).values("pk"))
        return (
            TrainingClass.objects.filter(visible)
            .select_related("institution", "item", "scope_unit")
            .order_by("starts_on", "id")
        )

    def _done(self, training_class):
        training_class.refresh_from_db()
        return Response(TrainingClassSerializer(training_class).data)

    @extend_schema(
        summary="提交开班申请（机构管理员）",
        tags=["training"],
        request=None,
        responses=TrainingClassSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._done(class_services.class_submit(self.get_object(), request.user, request=request))

    @extend_schema(
        summary="批准开班（班级所在县的工作人员）",
        tags=["training"],
        request=TrainingApproveSerializer,
        responses=TrainingClassSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = TrainingApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            class_services.class_review(
                self.get_object(), request.user, True, data.validated_data["note"], request=request
            )
        )

    @extend_schema(
        summary="退回开班申请（写明意见）",
        tags=["training"],
        request=TrainingReturnSerializer,
        responses=TrainingClassSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = TrainingReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            class_services.class_review(
                self.get_object(), request.user, False, data.validated_data["note"], request=request
            )
        )

    @extend_schema(
        summary="开班（机构管理员）", tags=["training"], request=None, responses=TrainingClassSerializer
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._done(class_services.class_start(self.get_object(), request.user, request=request))

    @extend_schema(
        summary="结业（最后一次课结束后）", tags=["training"], request=None, responses=TrainingClassSerializer
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._done(class_services.class_complete(self.get_object(), request.user, request=request))

    @extend_schema(
        summary="取消开班（通知已报名学员）",
        tags=["training"],
        request=TrainingReasonSerializer,
        responses=TrainingClassSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = TrainingReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            class_services.class_cancel(
                self.get_object(), request.user, data.validated_data["reason"], request=request
            )
        )


# (prefix, viewset, basename) registered on the /api/v1/ router by training.api.routes
ROUTES: list = [
    ("training-institutions", InstitutionViewSet, "training-institutions"),
    ("training-courses", CourseViewSet, "training-courses"),
    ("training-classes", ClassViewSet, "training-classes"),
]
