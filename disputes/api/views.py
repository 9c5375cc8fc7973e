"""The disputes API: cases (the complainant's own; an accepted case's respondent; staff and county systems
their scope, 404 outside it), an online complaint, and one action per workflow step and per clock
extension. Errors in the one shape; an illegal step or a second extension is 409."""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from core.permissions import signed_in, token_may_read

from .. import respondents, selectors, services
from ..choices import Channel
from ..filtersets import CaseFilterSet
from ..models import Case, CaseClock
from .serializers import (
    CaseCreateSerializer,
    CaseExtendSerializer,
    CaseReasonSerializer,
    CaseRequiredReasonSerializer,
    CaseResolveSerializer,
    CaseSerializer,
    ComplainantRevealOutputSerializer,
    ComplainantRevealSerializer,
)

TAGS = ["disputes"]


class CasePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return token_may_read(request, view)
        return signed_in(request.user)


def _step(summary: str, request_serializer=None):
    return extend_schema(
        summary=summary, tags=TAGS, request=request_serializer, responses={200: CaseSerializer}
    )


@extend_schema_view(
    list=extend_schema(summary="投诉案件（本人的；工作人员和县级系统为辖区内的，最近期限在前）", tags=TAGS),
    retrieve=extend_schema(summary="投诉案件详情", tags=TAGS),
    create=extend_schema(
        summary="网上投诉（劳动者或用工方本人；按分派规则分派并开始计时）",
        tags=TAGS,
        request=CaseCreateSerializer,
        responses={201: CaseSerializer},
    ),
)
class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    permission_classes = [CasePermission]
    filterset_class = CaseFilterSet
    filter_backends = [DjangoFilterBackend]
    queryset = Case.objects.none()

    def get_queryset(self):
        return selectors.case_queue(user=self.request.user, include_closed=True).prefetch_related(
            "claims",
            Prefetch("clocks", queryset=CaseClock.objects.order_by("started_at", "id")),
            "complainant",
        )

    def create(self, request, *args, **kwargs):
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        claims = values.pop("claims")
        values["scope_unit"] = values.pop("county")
        # both chosen from the caller's own history (a field error otherwise, ADR 0032)
        values["work_order"] = respondents.own_work_order(request.user, values.get("work_order"))
        values["respondent"] = respondents.own_respondent(request.user, values.get("respondent"))
        case = services.case_receive(
            actor=request.user, channel=Channel.ONLINE, data=values, claims=claims, request=request
        )
        return Response(self._out(case), status=status.HTTP_201_CREATED)

    def _out(self, case):
        fresh = self.get_queryset().filter(pk=case.pk).first()
        if fresh is None:  # pragma: no cover - the actor just wrote it
            raise NotFound()
        return CaseSerializer(fresh, context=self.get_serializer_context()).data

    def _run(self, request, step, serializer_class=None, **kwargs):
        case = self.get_object()
        if serializer_class is not None:
            data = serializer_class(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs.update(data.validated_data)
        case = step(case=case, actor=request.user, request=request, **kwargs)
        return Response(self._out(case))

    @_step("受理（辖区工作人员；受理期限停止，办理期限开始）", CaseReasonSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._run(request, services.case_accept, CaseReasonSerializer)

    @_step("不予受理（须写明理由）", CaseRequiredReasonSerializer)
    @action(detail=True, methods=["post"], url_path="not-accept")
    def not_accept(self, request, pk=None):
        return self._run(request, services.case_not_accept, CaseRequiredReasonSerializer)

    @_step("开始调解（调解期限 15 日）", CaseReasonSerializer)
    @action(detail=True, methods=["post"])
    def mediate(self, request, pk=None):
        return self._run(request, services.case_mediate, CaseReasonSerializer)

    @_step("转劳动保障监察", CaseReasonSerializer)
    @action(detail=True, methods=["post"], url_path="refer-inspection")
    def refer_inspection(self, request, pk=None):
        return self._run(request, services.case_refer_inspection, CaseReasonSerializer)

    @_step("转劳动争议仲裁（劳务纠纷不可仲裁：409 not_arbitrable）", CaseReasonSerializer)
    @action(detail=True, methods=["post"], url_path="refer-arbitration")
    def refer_arbitration(self, request, pk=None):
        return self._run(request, services.case_refer_arbitration, CaseReasonSerializer)

    @_step("办结（写明处理结果）", CaseResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._run(request, services.case_resolve, CaseResolveSerializer)

    @_step("归档", CaseReasonSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._run(request, services.case_close, CaseReasonSerializer)

    @extend_schema(
        summary="查看投诉人完整手机号或身份证号（辖区内有查看权限的工作人员；须写明事由，每次记录）",
        tags=TAGS,
        request=ComplainantRevealSerializer,
        responses={200: ComplainantRevealOutputSerializer},
    )
    @action(detail=True, methods=["post"], url_path="reveal-complainant")
    def reveal_complainant(self, request, pk=None):
        case = self.get_object()
        data = ComplainantRevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        field = data.validated_data["field"]
        value = services.complainant_reveal(
            case=case, actor=request.user, field=field, reason=data.validated_data["reason"], request=request
        )
        return Response({"field": field, "value": value})

    @_step("批准延长期限（每个期限只能延长一次：再次延长 409 already_extended）", CaseExtendSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        case = self.get_object()
        data = CaseExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        clock = case.clocks.filter(kind=values["clock"]).order_by("-started_at").first()
        if clock is None:
            raise NotFound()
        services.clock_extend(
            clock=clock, actor=request.user, days=values["days"], reason=values["reason"], request=request
        )
        return Response(self._out(case))


ROUTES = [("cases", CaseViewSet, "case")]
