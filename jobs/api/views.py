"""The jobs API: occupations, posting search and workflow, applications, recommendations, job fairs.
ViewSets stay declarative: querysets come from the selectors (an object outside the caller's scope is a
404), each workflow step validates an input serializer and calls one service — which decides who may (404
outside, 403 inside without the right) — and DomainError goes through the project's exception handler."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.throttles import AnonRateThrottle
from core.errors import NotPermitted
from core.filtersets import MAX_ID
from core.geo import to_wgs84
from core.permissions import PublicReadOnly, has_perms
from core.scope import scope_of
from markets.models import Market

from .. import selectors, services
from ..choices import ApplicationSource
from ..filtersets import ApplicationFilterSet, JobFairFilterSet, OccupationFilterSet, PostingFilterSet
from ..matching import recommend_postings, recommend_workers
from ..models import EmployerProfile, Occupation
from ..permissions import (
    ApplicationPermission,
    AuthenticatedRead,
    CanApply,
    IsEmployerOrJobsStaff,
    IsJobsReviewer,
    PostingPermission,
    PublicReadStaffCreate,
)
from .pagination import KeysetCursorPagination
from .serializers import (
    LIST_COLUMNS,
    ApplicationCreateSerializer,
    ApplicationDecisionSerializer,
    ApplicationSerializer,
    FairBookSerializer,
    FairBoothSerializer,
    FairOutcomeSerializer,
    FairRegistrationSerializer,
    JobFairSerializer,
    JobFairWriteSerializer,
    OccupationSerializer,
    PostingApproveSerializer,
    PostingCloseSerializer,
    PostingDetailSerializer,
    PostingRecommendationSerializer,
    PostingRejectSerializer,
    PostingReportSerializer,
    PostingResultSerializer,
    PostingSerializer,
    PostingWriteSerializer,
    WorkerRecommendationSerializer,
)

CONFLICT = OpenApiResponse(description="invalid_transition（当前状态下不能执行该操作）")
ERROR = OpenApiResponse(description="code / message / fields")


# --- occupations ------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="工种（两级：类别与工种，parent 为类别代码）", tags=["jobs"]),
    retrieve=extend_schema(summary="工种详情", tags=["jobs"]),
)
class OccupationViewSet(viewsets.ReadOnlyModelViewSet):
    """The occupation taxonomy (工种): public reference data, one whole list."""

    queryset = Occupation.objects.filter(is_active=True).select_related("parent").order_by("sort", "code")
    serializer_class = OccupationSerializer
    permission_classes = [PublicReadOnly]
    filterset_class = OccupationFilterSet
    filter_backends = [DjangoFilterBackend]
    lookup_field = "code"
    pagination_class = None


# --- postings ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="岗位搜索（公众：招聘中的岗位；用工方另见自己的；工作人员：管辖范围内全部）",
        tags=["jobs"],
        description="Filters: q (title, description, occupation, employer; exact, case-insensitive for Latin), "
        "occupation (code, a category includes its occupations), county, lat+lng (+radius_km), date_from, date_to "
        "(work dates), wage_min (daily-equivalent yuan), settlement, market, status. ordering=distance (needs lat/lng) "
        "| -wage | -published. Keyset cursor pagination: follow `next`.",
    ),
    retrieve=extend_schema(
        summary="岗位详情（联系人仅对用工方本人和已录用者显示，其他人一律脱敏）",
        tags=["jobs"],
        responses=PostingDetailSerializer,
    ),
    create=extend_schema(
        summary="新建岗位（草稿；用工方本人，或工作人员代用工方）",
        tags=["jobs"],
        request=PostingWriteSerializer,
        responses={201: PostingResultSerializer, 400: ERROR, 403: ERROR},
    ),
    partial_update=extend_schema(
        summary="修改草稿岗位",
        tags=["jobs"],
        request=PostingWriteSerializer,
        responses={200: PostingResultSerializer, 400: ERROR, 409: CONFLICT},
    ),
)
class PostingViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PostingSerializer
    permission_classes = [PostingPermission]
    filterset_class = PostingFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetCursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.posting_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return PostingSerializer
        if self.action in ("create", "partial_update"):
            return PostingWriteSerializer
        return PostingDetailSerializer

    def filter_queryset(self, queryset):
        """The FilterSet filters and orders the list; its ordering fields drive the keyset pagination."""
        if self.action != "list":
            return queryset
        filterset = DjangoFilterBackend().get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        self.keyset_ordering = filterset.ordering_fields
        # Only the columns the list shows. The occupation comes from the process's tree; the employer's and the
        # market's names come from subqueries that PostgreSQL evaluates for the page's rows only (after the
        # top-N sort), where joins would be made for every candidate row before it.
        return (
            filterset.qs.select_related(None)
            .select_related("scope_unit")
            .only(*LIST_COLUMNS)
            .annotate(
                employer_display_name=Subquery(
                    EmployerProfile.objects.filter(pk=OuterRef("employer_id"))
                    .order_by()
                    .values("display_name")[:1]
                ),
                market_display_name=Subquery(
                    Market.objects.filter(pk=OuterRef("market_id")).order_by().values("name")[:1]
                ),
            )
        )

    def _detail(self, posting, serializer=PostingDetailSerializer, **extra):
        user = self.request.user
        context = {
            "request": self.request,
            "contact_visible": lambda p: selectors.contact_visible(posting=p, user=user),
            "insider": lambda p: selectors.posting_is_insider(posting=p, user=user),
            "reviewer": lambda p: scope_of(user).covers(p.scope_unit_id),
            **extra,
        }
        return serializer(posting, context=context).data

    def _fresh(self, posting):
        return self.get_queryset().filter(pk=posting.pk).first() or posting

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    def create(self, request, *args, **kwargs):
        data = PostingWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        system = values.pop("coordinate_system")
        employer = values.pop("employer", None) or selectors.employer_profile_of(request.user)
        if employer is None:
            raise exceptions.PermissionDenied(_("请先完成用工登记。"))
        result = services.posting_create(
            employer=employer, actor=request.user, data=values, coordinate_system=system, request=request
        )
        posting = self._fresh(result.posting)
        posting.warnings = result.warnings
        return Response(self._detail(posting, PostingResultSerializer), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        posting = self.get_object()
        data = PostingWriteSerializer(posting, data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("employer", None)
        system = values.pop("coordinate_system", "wgs84")
        if system != "wgs84":
            if "lat" not in values or "lng" not in values:
                raise exceptions.ValidationError({"lat": [_("换算坐标须同时提供经纬度。")]})
            values["lat"], values["lng"] = to_wgs84(float(values["lat"]), float(values["lng"]), system)
        result = services.posting_update(posting=posting, actor=request.user, data=values, request=request)
        fresh = self._fresh(result.posting)
        fresh.warnings = result.warnings
        return Response(self._detail(fresh, PostingResultSerializer))

    @extend_schema(
        summary="提交审核（草稿→待审核；信用良好用工方可自动发布）",
        tags=["jobs"],
        request=None,
        responses={200: PostingDetailSerializer, 400: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEmployerOrJobsStaff])
    def submit(self, request, pk=None):
        posting = services.posting_submit(posting=self.get_object(), actor=request.user, request=request)
        return Response(self._detail(self._fresh(posting)))

    @extend_schema(
        summary="关闭岗位（招聘中或已招满→已关闭）",
        tags=["jobs"],
        request=PostingCloseSerializer,
        responses={200: PostingDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEmployerOrJobsStaff])
    def close(self, request, pk=None):
        posting = self.get_object()
        data = PostingCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posting = services.posting_close(
            posting=posting, actor=request.user, request=request, **data.validated_data
        )
        return Response(self._detail(self._fresh(posting)))

    @extend_schema(
        summary="举报岗位（任何人，无需登录；举报转县级审核人员）",
        tags=["jobs"],
        request=PostingReportSerializer,
        responses={201: PostingReportSerializer, 400: ERROR},
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.AllowAny],
        throttle_classes=[AnonRateThrottle],
    )
    def report(self, request, pk=None):
        posting = self.get_object()
        data = PostingReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.posting_report(
            posting=posting, reporter=request.user, request=request, **data.validated_data
        )
        return Response(PostingReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="审核通过并发布（工作人员，逐项确认审核要点）",
        tags=["jobs"],
        request=PostingApproveSerializer,
        responses={200: PostingDetailSerializer, 400: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsJobsReviewer])
    def approve(self, request, pk=None):
        posting = self.get_object()
        data = PostingApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posting = services.posting_approve(
            posting=posting, actor=request.user, request=request, **data.validated_data
        )
        return Response(self._detail(self._fresh(posting)))

    @extend_schema(
        summary="审核退回（待审核→草稿，须填写原因）",
        tags=["jobs"],
        request=PostingRejectSerializer,
        responses={200: PostingDetailSerializer, 400: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsJobsReviewer])
    def reject(self, request, pk=None):
        posting = self.get_object()
        data = PostingRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posting = services.posting_reject(
            posting=posting, actor=request.user, request=request, **data.validated_data
        )
        return Response(self._detail(self._fresh(posting)))


# --- applications -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="报名记录（劳动者：自己的；用工方：自己岗位的；工作人员：管辖范围内）",
        tags=["jobs"],
    ),
    retrieve=extend_schema(summary="报名详情", tags=["jobs"]),
    create=extend_schema(
        summary="报名（本人；或工作人员、市场服务台代劳动者报名：职业介绍或服务台代办）",
        tags=["jobs"],
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class ApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ApplicationSerializer
    permission_classes = [ApplicationPermission]
    filterset_class = ApplicationFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return selectors.application_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        posting = selectors.posting_list(user=user).filter(pk=values["posting"]).first()
        if posting is None:
            raise exceptions.NotFound(_("未找到该岗位。"))
        if values["worker"] is not None and values["worker"] != user.pk:
            worker, source = selectors.worker_served(actor=user, pk=values["worker"]), values["source"]
        else:
            worker, source = user, ApplicationSource.SELF
        application = services.application_apply(
            posting=posting, worker=worker, actor=user, source=source, note=values["note"], request=request
        )
        application = self.get_queryset().filter(pk=application.pk).first() or application
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)

    def _decided(self, application):
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)

    @extend_schema(
        summary="录用（用工方；不超过招聘人数，最后一人录满后岗位变为已招满）",
        tags=["jobs"],
        request=None,
        responses={200: ApplicationSerializer, 400: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEmployerOrJobsStaff])
    def accept(self, request, pk=None):
        application = self.get_object()
        return self._decided(
            services.application_accept(application=application, actor=request.user, request=request)
        )

    @extend_schema(
        summary="不录用（用工方）",
        tags=["jobs"],
        request=ApplicationDecisionSerializer,
        responses={200: ApplicationSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEmployerOrJobsStaff])
    def reject(self, request, pk=None):
        application = self.get_object()
        data = ApplicationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decided(
            services.application_reject(
                application=application, actor=request.user, request=request, **data.validated_data
            )
        )

    @extend_schema(
        summary="撤回报名（劳动者本人，或工作人员代办；已录用的须在开工前）",
        tags=["jobs"],
        request=ApplicationDecisionSerializer,
        responses={200: ApplicationSerializer, 400: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[CanApply])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        data = ApplicationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decided(
            services.application_withdraw(
                application=application, actor=request.user, request=request, **data.validated_data
            )
        )


# --- recommendations --------------------------------------------------------------------------------------


def _int_param(request, name: str, required: bool = False) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        if required:
            raise exceptions.ValidationError({name: [_("该参数必填。")]})
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise exceptions.ValidationError({name: [_("请输入整数。")]}) from exc
    if not 1 <= value <= MAX_ID:
        raise exceptions.ValidationError({name: [_("编号超出范围。")]})
    return value


class RecommendationViewSet(viewsets.GenericViewSet):
    """Matching both ways, each recommendation with its score and reasons."""

    permission_classes = [AuthenticatedRead]
    pagination_class = None
    filter_backends: list = []
    serializer_class = PostingRecommendationSerializer

    @extend_schema(
        summary="为岗位推荐劳动者（用工方本人或管辖范围内工作人员；最多20人）",
        tags=["jobs"],
        parameters=[OpenApiParameter("posting", OpenApiTypes.INT, required=True, description="岗位编号")],
        responses={200: WorkerRecommendationSerializer(many=True), 403: ERROR, 404: ERROR},
    )
    @action(detail=False, methods=["get"], permission_classes=[IsEmployerOrJobsStaff])
    def workers(self, request):
        user = request.user
        pk = _int_param(request, "posting", required=True)
        posting = selectors.posting_list(user=user).filter(pk=pk).first()
        if posting is None or not selectors.posting_is_insider(posting=posting, user=user):
            raise exceptions.NotFound(_("未找到该岗位。"))
        recs = list(recommend_workers(posting=posting, limit=20))
        prefetch_related_objects([r.obj for r in recs], "user__scope_unit", "skills__occupation")
        return Response(WorkerRecommendationSerializer(recs, many=True, context={"request": request}).data)

    @extend_schema(
        summary="为劳动者推荐岗位（本人；工作人员或服务台可用 worker 参数；最多20个）",
        tags=["jobs"],
        parameters=[
            OpenApiParameter(
                "worker", OpenApiTypes.INT, required=False, description="劳动者用户编号（工作人员代查）"
            )
        ],
        responses={200: PostingRecommendationSerializer(many=True), 403: ERROR, 404: ERROR},
    )
    @action(detail=False, methods=["get"])
    def postings(self, request):
        user = request.user
        worker_id = _int_param(request, "worker")
        if worker_id is not None and worker_id != user.pk:
            worker = selectors.worker_served(actor=user, pk=worker_id)
        else:
            if not user.has_role("worker"):
                raise NotPermitted(_("请先完成求职登记。"))
            worker = user
        recs = list(recommend_postings(worker=worker, limit=20))
        prefetch_related_objects(
            [r.obj for r in recs], "occupation__parent", "scope_unit", "employer", "market"
        )
        return Response(PostingRecommendationSerializer(recs, many=True, context={"request": request}).data)


# --- job fairs -------------------------------------------------------------------------------------------


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
    filterset_class = JobFairFilterSet
    ordering_fields = ["starts_at"]

    def get_queryset(self):
        return selectors.fair_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = JobFairWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fair = services.fair_create(actor=request.user, data=dict(data.validated_data), request=request)
        fair = selectors.fair_list(user=request.user).get(pk=fair.pk)
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
        employer = selectors.employer_profile_of(request.user)
        if employer is None:
            raise NotPermitted(_("请先完成用工登记，再预订展位。"))
        data = FairBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booth = services.fair_book_booth(
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
        registration = services.fair_register_worker(
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
        services.fair_record_outcome(fair=fair, actor=request.user, request=request, **data.validated_data)
        return Response(JobFairSerializer(selectors.fair_list(user=request.user).get(pk=fair.pk)).data)
