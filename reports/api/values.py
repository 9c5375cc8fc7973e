"""The pull API: ``/api/v1/reports/values/?indicator=&period=&org_unit=&breakdown=`` in long form (one row
per indicator × period × org unit × breakdown) as JSON, CSV (UTF-8 BOM, through ``core.exports``) or XLSX
(``format=csv|xlsx`` or the Accept header). Every response carries an ETag over its rows; a request with a
matching ``If-None-Match`` gets 304 and no body. County staff and county tokens read their units' rows
(another county's or the city's org_unit is 404); city staff, auditors and city tokens read every row."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, renderers, serializers, status, viewsets
from rest_framework.response import Response

from core.errors import DomainError
from core.exports import table_response

from .. import push
from ..approvals import accepted_month, final_units
from ..choices import PeriodKind
from ..filtersets import parse_values_query
from ..periods import parse_period
from ..permissions import may_read_facts
from ..selectors import fact_list

CACHE_OPEN = "private, max-age=60"  # an open period changes nightly and on every recompute
CACHE_FINAL = "private, max-age=86400"  # accepted by the city: changes only if the city reopens it


class FactReader(permissions.BasePermission):
    """Reads for people and tokens holding ``reports.view_fact``, pushes for those holding
    ``reports.submit_fact``; the scope decides which rows."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return may_read_facts(request.user)
        return request.method == "POST" and bool(
            request.user and request.user.is_authenticated and request.user.has_perm(push.PUSH)
        )


class _Download(renderers.BaseRenderer):
    """Lets content negotiation accept the format; the view builds the file itself."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()


class CSVRenderer(_Download):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_Download):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class ValueRowSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    indicator_name = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    period_kind = serializers.CharField()
    org_unit = serializers.CharField(help_text="`city` or a scope unit's code")
    org_unit_name = serializers.CharField()
    breakdown = serializers.CharField(allow_blank=True)
    breakdown_value = serializers.CharField(allow_blank=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    source = serializers.CharField()
    computed_at = serializers.DateTimeField()


class PushRowSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=48)
    period = serializers.CharField(max_length=7, help_text="202611, 2026Q4 or 2026")
    org_unit = serializers.CharField(max_length=16, help_text="a scope unit's code (`city` for the city)")
    breakdown = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    breakdown_value = serializers.CharField(max_length=48, required=False, allow_blank=True, default="")
    value = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0))

    def validate_period(self, value):
        try:
            return parse_period(value).code
        except DomainError as exc:
            raise serializers.ValidationError(str(exc.message)) from None

    def validate_breakdown(self, value):
        return "" if value == "total" else value


class PushSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(default=False)
    rows = PushRowSerializer(many=True, allow_empty=False, max_length=5000)


class PushResultRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    indicator = serializers.CharField()
    period = serializers.CharField()
    org_unit = serializers.CharField()
    value = serializers.CharField(required=False)
    before = serializers.CharField(required=False)
    result = serializers.ChoiceField(choices=[push.CREATED, push.UPDATED, push.IGNORED, push.CONFLICT])


class PushSummarySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    ignored = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    rows = PushResultRowSerializer(many=True)


class ValueListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ValueRowSerializer(many=True)


FIELDS = list(ValueRowSerializer().fields)


# The columns a row is made of, read as plain values (no model instances: a county-month is a few dozen to a few
# hundred rows, and building three models per row was most of the request's time; the bench's report scenario)
COLUMNS = (
    "indicator__code",
    "indicator__name",
    "indicator__unit",
    "period",
    "period_kind",
    "org_unit_id",
    "org_unit__code",
    "org_unit__name",
    "breakdown_key",
    "breakdown_value",
    "value",
    "source",
    "computed_at",
)


def _row(fact: dict) -> dict:
    return {
        "indicator": fact["indicator__code"],
        "indicator_name": fact["indicator__name"],
        "unit": fact["indicator__unit"],
        "period": fact["period"],
        "period_kind": fact["period_kind"],
        "org_unit": fact["org_unit__code"] if fact["org_unit_id"] else "city",
        "org_unit_name": fact["org_unit__name"] if fact["org_unit_id"] else _("全市"),
        "breakdown": fact["breakdown_key"],
        "breakdown_value": fact["breakdown_value"],
        "value": f"{fact['value']:.2f}",
        "source": fact["source"],
        "computed_at": fact["computed_at"].isoformat(),
    }


def _etag(fmt: str, rows: list[dict]) -> str:
    digest = hashlib.sha256(json.dumps([fmt, rows], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f'"{digest[:32]}"'


def _matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return header.strip() == "*" or etag in [tag.strip() for tag in header.split(",")]


@extend_schema_view(
    list=extend_schema(
        summary="统计数据（长表：指标 × 统计期 × 统计单位 × 分组）",
        description=(
            "period is required (202611, 2026Q4, 2026); org_unit is `city` or a scope unit's code (404 outside "
            "the reader's scope); breakdown absent or `total` gives the totals. format=json|csv|xlsx. "
            "ETag on every response; If-None-Match → 304."
        ),
        parameters=[
            OpenApiParameter("period", str, required=True),
            OpenApiParameter("indicator", str),
            OpenApiParameter("org_unit", str),
            OpenApiParameter("breakdown", str),
        ],
        responses=ValueListSerializer,
        tags=["reports"],
    ),
    create=extend_schema(
        summary="报送统计数据（县级报送的指标，按 指标 × 统计期 × 统计单位 × 分组 幂等写入）",
        description=(
            "Only indicators with method `submitted`. dry_run: report, write nothing. All or nothing: an "
            "unknown indicator, a computed one or a locked period answers 409 with fields.rows.<n>.<field>; "
            "nothing is written. The same payload twice: the second reports every row `ignored`. County "
            "tokens may call it (the one write a token may make, ADR 0043)."
        ),
        request=PushSerializer,
        responses={200: PushSummarySerializer},
        tags=["reports"],
    ),
)
class ReportValueViewSet(viewsets.GenericViewSet):
    permission_classes = [FactReader]
    token_writes = True  # the push: county systems submit what the portal cannot compute (ADR 0043)
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, XLSXRenderer]
    serializer_class = ValueListSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return fact_list(user=self.request.user)

    def handle_exception(self, exc):
        # an error is the one JSON error shape whatever format was asked for (a CSV asked for without a
        # token gets the JSON 401, not a "text/csv" body)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().handle_exception(exc)

    def list(self, request, *args, **kwargs):
        query = parse_values_query(request.query_params, principal=request.user)
        facts = query.apply(self.get_queryset()).order_by(
            "indicator__sort", "indicator__code", "org_unit__code", "breakdown_value"
        )
        if query.period.kind == PeriodKind.MONTH:  # in the same query: whether each row's month is accepted
            facts = list(facts.annotate(final=accepted_month()).values(*COLUMNS, "final"))
            final = bool(facts) and all(f["final"] for f in facts)
        else:
            facts = list(facts.values(*COLUMNS))
            finals = final_units(query.period) if facts else set()
            final = bool(facts) and all(f["org_unit_id"] in finals for f in facts)
        rows = [_row(f) for f in facts]
        fmt = request.accepted_renderer.format
        etag = _etag(fmt, rows)
        if _matches(request, etag):
            response = HttpResponse(status=304)
        elif fmt in ("csv", "xlsx"):
            response = table_response(
                fmt=fmt,
                filename=f"reports-{query.period.code}",
                headers=FIELDS,
                rows=[[Decimal(row[f]) if f == "value" else row[f] for f in FIELDS] for row in rows],
                title=_("统计数据 %(p)s") % {"p": query.period.code} if fmt == "xlsx" else "",
                sheet=query.period.code,
            )
        else:
            response = Response({"count": len(rows), "results": rows})
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_FINAL if final else CACHE_OPEN
        response["Vary"] = "Authorization, Cookie, Accept"
        return response

    def create(self, request, *args, **kwargs):
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = renderers.JSONRenderer.media_type
        serializer = PushSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [push.PushRow(**row) for row in serializer.validated_data["rows"]]
        summary = push.push(
            rows, actor=request.user, dry_run=serializer.validated_data["dry_run"], request=request
        )
        return Response(summary.as_dict(), status=status.HTTP_200_OK)


ROUTES = [("reports/values", ReportValueViewSet, "report-value")]
