"""Admin: the operator subsidy (ADR 0033) — scoring schemes (a notice's rows with their items and bands; a row
assessments were scored under keeps its figures), and the assessments: read-only figures, each with a trace
page listing the rows it counted (linked to their admin pages), the checks and the score; actions recompute a
draft or review it, and a page starts the computation of a county's markets for a quarter."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin, admin_message_error
from core.errors import DomainError
from core.models import ScopeUnit
from core.scope import scope_of

from .. import kpis
from ..choices import AssessmentStatus, OperatorKpi
from ..models import (
    OperatorAssessment,
    OperatorAssessmentEvent,
    OperatorScheme,
    OperatorSchemeBand,
    OperatorSchemeItem,
)
from ..services import operators as services

TRACE_ROWS = 500


class ItemInline(admin.TabularInline):
    model = OperatorSchemeItem
    extra = 0
    fields = ("kpi", "points", "full_at", "zero_at", "if_missing")


class BandInline(admin.TabularInline):
    model = OperatorSchemeBand
    extra = 0
    fields = ("min_score", "amount")


class _FrozenWhenUsed:
    """A scheme row (or its items and bands) that assessments were scored under keeps its figures."""

    def _used(self, obj) -> bool:
        scheme = getattr(obj, "scheme", obj)
        return scheme is not None and scheme.pk is not None and scheme.assessments.exists()


class _FrozenInline(_FrozenWhenUsed):
    def has_change_permission(self, request, obj=None):
        return not self._used(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not self._used(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._used(obj) and super().has_delete_permission(request, obj)


class FrozenItemInline(_FrozenInline, ItemInline):
    pass


class FrozenBandInline(_FrozenInline, BandInline):
    pass


@admin.register(OperatorScheme)
class OperatorSchemeAdmin(_FrozenWhenUsed, ScopedAdmin):
    list_display = ("version", "scope_unit", "effective_from", "effective_to", "amount_rule", "cap", "notice")
    list_filter = ("scope_unit", "amount_rule")
    search_fields = ("version", "notice")
    fields = (
        "version",
        "scope_unit",
        "effective_from",
        "effective_to",
        "amount_rule",
        "amount_per_point",
        "min_score",
        "cap",
        "notice",
        "basis",
    )
    inlines = [FrozenItemInline, FrozenBandInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self._used(obj):
            return [f for f in self.fields if f not in ("effective_to", "basis")]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class AssessmentEventInline(EventInline):
    model = OperatorAssessmentEvent


class ComputeForm(forms.Form):
    county = forms.ModelChoiceField(label=gettext_lazy("县（市、区）"), queryset=ScopeUnit.objects.none())
    quarter = forms.CharField(
        label=gettext_lazy("考核季度"), max_length=6, help_text=gettext_lazy("如 2026Q3")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        units = ScopeUnit.objects.filter(is_active=True)
        self.fields["county"].queryset = units if scope.all else units.filter(pk__in=scope.unit_ids)

    def clean_quarter(self):
        try:
            return kpis.quarter_bounds(self.cleaned_data["quarter"])
        except ValueError:
            raise forms.ValidationError(_("请按“年份Q季度”填写，如 2026Q3。")) from None


FIGURE_LABELS = dict(OperatorKpi.choices)


@admin.register(OperatorAssessment)
class OperatorAssessmentAdmin(ScopedAdmin):
    list_display = (
        "market",
        "period_start",
        "period_end",
        "status",
        "disqualified",
        "score",
        "recommended_amount",
        "scheme_version",
    )
    list_filter = ("status", "disqualified", "period_start", "market__scope_unit")
    list_select_related = ("market",)
    search_fields = ("market__name",)
    workflow_fields = ("status",)
    fields = (
        "market",
        "period_start",
        "period_end",
        "status",
        "scheme_version",
        "disqualified",
        "reasons_list",
        "figures_table",
        "checks_table",
        "score_table",
        "score",
        "recommended_amount",
        "computed_at",
        "computed_by",
        "reviewed_at",
        "reviewed_by",
        "review_note",
    )
    readonly_fields = fields
    inlines = [AssessmentEventInline]
    actions = [*ScopedAdmin.actions, "recompute_selected", "review_selected"]
    change_list_template = "admin/subsidies/operatorassessment/change_list.html"

    def has_add_permission(self, request):
        return False  # assessments come from the computation (the compute page, the task)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(services.REVIEW_PERMISSION) and obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("理由"))
    def reasons_list(self, obj):
        return format_html_join("", "<div>{}</div>", ((text,) for _code, text in obj.reasons)) or "—"

    @admin.display(description=gettext_lazy("指标（点击查看计入的记录）"))
    def figures_table(self, obj):
        rows = []
        for name, value in obj.figures.items():
            url = reverse("admin:subsidies_operatorassessment_trace", args=[obj.pk, name])
            count = sum(part["count"] for part in obj.traces.get(name, []))
            rows.append((FIGURE_LABELS.get(name, name), "—" if value is None else value, url, count))
        body = format_html_join(
            "",
            '<tr><td>{}</td><td>{}</td><td><a href="{}">{} {}</a></td></tr>',
            ((label, value, url, count, _("条记录")) for label, value, url, count in rows),
        )
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("指标"), _("数值"), _("来源"))
        return format_html("<table>{}{}</table>", head, body)

    @admin.display(description=gettext_lazy("数据核验"))
    def checks_table(self, obj):
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (_("通过") if c["passed"] else _("不通过"), c["text"], c["count"] if not c["passed"] else "")
                for c in obj.checks
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("结果"), _("核验"), _("问题记录数")
        )
        return format_html("<table>{}{}</table>", head, body)

    @admin.display(description=gettext_lazy("逐项得分"))
    def score_table(self, obj):
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    FIGURE_LABELS.get(i["kpi"], i["kpi"]),
                    i["value"] if i["value"] is not None else "—",
                    i["full_at"],
                    i["zero_at"],
                    i["points"],
                    i["awarded"],
                )
                for i in obj.score_items
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("指标"),
            _("数值"),
            _("满分值"),
            _("零分值"),
            _("分值"),
            _("得分"),
        )
        return format_html("<table>{}{}</table>", head, body) if obj.score_items else "—"

    # --- actions ---------------------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("重新测算（仅测算稿）"), permissions=["compute"])
    def recompute_selected(self, request, queryset):
        done = 0
        for row in queryset.select_related("market"):
            if row.status != AssessmentStatus.DRAFT:
                messages.warning(request, _("%(row)s 已复核，不再重算。") % {"row": row})
                continue
            try:
                services.operator_assessment_compute(
                    market=row.market,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    actor=request.user,
                    request=request,
                )
            except DomainError as exc:
                admin_message_error(request, exc)
            else:
                done += 1
        if done:
            messages.success(request, _("已重新测算 %(n)s 个。") % {"n": done})

    @admin.action(description=gettext_lazy("复核通过"), permissions=["change"])
    def review_selected(self, request, queryset):
        done = 0
        for row in queryset:
            try:
                services.operator_assessment_review(assessment=row, actor=request.user, request=request)
            except DomainError as exc:
                admin_message_error(request, exc)
            else:
                done += 1
        if done:
            messages.success(request, _("已复核 %(n)s 个。") % {"n": done})

    def has_compute_permission(self, request):
        return request.user.has_perm(services.COMPUTE_PERMISSION)

    # --- pages -----------------------------------------------------------------------------------------

    def get_urls(self):
        urls = [
            path(
                "compute/",
                self.admin_site.admin_view(self.compute_view),
                name="subsidies_operatorassessment_compute",
            ),
            path(
                "<int:pk>/trace/<str:figure>/",
                self.admin_site.admin_view(self.trace_view),
                name="subsidies_operatorassessment_trace",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_compute": self.has_compute_permission(request)}
        return super().changelist_view(request, extra_context)

    def compute_view(self, request):
        if not self.has_compute_permission(request):
            raise PermissionDenied
        form = ComputeForm(request.POST or None, user=request.user)
        status = 200
        if request.method == "POST" and form.is_valid():
            start, end = form.cleaned_data["quarter"]
            try:
                services.operator_assessments_start(
                    actor=request.user,
                    scope_unit_id=form.cleaned_data["county"].pk,
                    period_start=start,
                    period_end=end,
                    request=request,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = 400
            else:
                messages.success(request, _("已开始测算，完成后在列表中查看。"))
                return redirect(reverse("admin:subsidies_operatorassessment_changelist"))
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("测算零工市场运营补贴"),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/subsidies/operatorassessment/compute.html", context, status=status
        )

    def trace_view(self, request, pk: int, figure: str):
        obj = self.get_queryset(request).filter(pk=pk).first()  # scoped: another county's is a 404
        if obj is None or figure not in obj.traces or not self.has_view_permission(request, obj):
            raise Http404
        parts = []
        for trace in obj.traces[figure]:
            qs = kpis.queryset_of(trace)
            rows = []
            for row in qs[:TRACE_ROWS]:
                try:
                    url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
                except NoReverseMatch:
                    url = ""
                rows.append({"pk": row.pk, "text": str(row), "url": url})
            parts.append(
                {
                    "model": qs.model._meta.verbose_name,
                    "note": trace.get("note", ""),
                    "count": trace["count"],
                    "truncated": trace["count"] > len(trace["ids"]),
                    "shown": len(rows),
                    "filter": trace["any"],
                    "rows": rows,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("%(figure)s：计入的记录") % {"figure": FIGURE_LABELS.get(figure, figure)},
            "value": obj.figures.get(figure),
            "parts": parts,
        }
        return TemplateResponse(request, "admin/subsidies/operatorassessment/trace.html", context)
