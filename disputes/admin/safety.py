"""Market safety reports in the admin (ADR 0027): the county's queue of received reports, the photo through the
permission-checked view, and the steps as forms that call the services — open an inspection of the market,
dismiss with a reason, decide the inspection (rectify, suspend, ban: the markets workflow and notice). The
county rights contacts (hotline, inspection team, arbitration commission) are edited here by city staff."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin
from core.errors import DomainError
from core.scope import scope_of
from markets.models import InspectionItem

from ..choices import SafetyReportStatus
from ..forms import SafetyDecideForm, SafetyDismissForm, SafetyTriageForm
from ..models import RightsContact, SafetyReport, SafetyReportEvent
from ..permissions import can_triage_safety
from ..services import safety as safety_services


class SafetyReportEventInline(EventInline):
    model = SafetyReportEvent


class OpenFilter(admin.SimpleListFilter):
    """The queue: received reports first (the default), or every report."""

    title = gettext_lazy("待处理")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("received", gettext_lazy("待分拣")),
            ("inspecting", gettext_lazy("检查中")),
            ("all", gettext_lazy("全部")),
        ]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "received") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "received"
        if value == "all":
            return queryset
        return queryset.filter(status=value)


@admin.register(SafetyReport)
class SafetyReportAdmin(ScopedAdmin):
    list_display = ("number", "market", "scope_unit", "hazard_kind", "status", "received_at", "inspection")
    list_filter = (OpenFilter, "hazard_kind", "scope_unit")
    list_select_related = ("market", "scope_unit", "inspection")
    search_fields = ("number", "market__name", "description")
    date_hierarchy = "received_at"
    ordering = ("received_at", "id")  # the oldest waits longest
    workflow_fields = ("status",)
    fields = (
        "number",
        "market",
        "hazard_kind",
        "description",
        "spot",
        "lat",
        "lng",
        "photo_link",
        "reporter",
        "contact_name",
        "contact_phone",
        "received_at",
        "status",
        "steps",
        "inspection_link",
        "triaged_by",
        "triaged_at",
        "dismiss_reason",
        "outcome",
        "concluded_at",
    )
    readonly_fields = [
        f.name for f in SafetyReport._meta.fields if f.name not in ("contact_name", "contact_phone", "photo")
    ] + ["photo_link", "steps", "inspection_link"]
    inlines = [SafetyReportEventInline]

    def has_add_permission(self, request):
        return False  # reports come from the public page and the API

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("照片"))
    def photo_link(self, obj):
        if not obj or not obj.photo:
            return "—"
        url = reverse("disputes:safety_photo", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank"><img src="{}" alt="" style="max-width:320px"></a>', url, url
        )

    @admin.display(description=gettext_lazy("安全检查"))
    def inspection_link(self, obj):
        if not obj or not obj.inspection_id:
            return "—"
        url = reverse("admin:markets_inspection_change", args=[obj.inspection_id])
        inspection = obj.inspection
        return format_html(
            '<a href="{}">{}</a> · {} {} · {} {}',
            url,
            inspection,
            _("风险等级"),
            inspection.get_risk_grade_display() or "—",
            _("处置"),
            inspection.get_action_display() or "—",
        )

    @admin.display(description=gettext_lazy("处理"))
    def steps(self, obj):
        if not obj or not obj.pk:
            return "—"
        links = []
        if obj.status == SafetyReportStatus.RECEIVED:
            links = [
                (reverse("admin:disputes_safetyreport_triage", args=[obj.pk]), _("转为安全检查")),
                (reverse("admin:disputes_safetyreport_dismiss", args=[obj.pk]), _("不予处理")),
            ]
        elif obj.status == SafetyReportStatus.INSPECTING:
            links = [
                (reverse("admin:disputes_safetyreport_decide", args=[obj.pk]), _("处置（整改、暂停或取缔）"))
            ]
        if not links:
            return obj.get_status_display()
        return format_join(links)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/triage/", view(self.triage_view), name="disputes_safetyreport_triage"),
            path("<int:pk>/dismiss/", view(self.dismiss_view), name="disputes_safetyreport_dismiss"),
            path("<int:pk>/decide/", view(self.decide_view), name="disputes_safetyreport_decide"),
            *super().get_urls(),
        ]

    def _report(self, request, pk):
        report = self.get_queryset(request).select_related("market", "inspection").filter(pk=pk).first()
        if report is None or not can_triage_safety(request.user, report):
            raise Http404
        return report

    def _step(self, request, report, form, title, run, done):
        if request.method == "POST" and form.is_valid():
            try:
                run(form)
            except DomainError as exc:
                for field, errors in (exc.fields or {None: [exc.message]}).items():
                    for error in errors if isinstance(errors, list | tuple) else [errors]:
                        form.add_error(field if field in form.fields else None, str(error))
            else:
                messages.success(request, done)
                return redirect("admin:disputes_safetyreport_change", report.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": SafetyReport._meta,
            "original": report,
            "form": form,
            "title": title,
        }
        return render(request, "admin/disputes/safety_step.html", context, status=400 if form.errors else 200)

    def triage_view(self, request, pk):
        report = self._report(request, pk)
        form = SafetyTriageForm(
            request.POST or None,
            items=InspectionItem.objects.filter(is_active=True),
            initial={"inspected_on": timezone.localdate()},
        )

        def run(f):
            safety_services.safety_report_triage(
                report=report,
                actor=request.user,
                inspected_on=f.cleaned_data["inspected_on"],
                inspector_names=f.cleaned_data.get("inspector_names", ""),
                findings=f.findings(),
                notes=f.cleaned_data.get("notes", ""),
                request=request,
            )

        return self._step(request, report, form, _("转为安全检查"), run, _("已建立安全检查。"))

    def dismiss_view(self, request, pk):
        report = self._report(request, pk)
        form = SafetyDismissForm(request.POST or None)

        def run(f):
            safety_services.safety_report_dismiss(
                report=report, actor=request.user, reason=f.cleaned_data["reason"], request=request
            )

        return self._step(request, report, form, _("不予处理"), run, _("已不予处理，并告知报告人。"))

    def decide_view(self, request, pk):
        report = self._report(request, pk)
        form = SafetyDecideForm(request.POST or None)

        def run(f):
            safety_services.safety_report_decide(
                report=report, actor=request.user, request=request, **f.cleaned_data
            )

        return self._step(request, report, form, _("处置市场"), run, _("已处置，并告知报告人。"))


def format_join(links):
    return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)


@admin.register(RightsContact)
class RightsContactAdmin(ScopedAdmin):
    """County rights contacts: city staff edit them; county staff read their own."""

    list_display = (
        "scope_unit",
        "rights_hotline",
        "inspection_name",
        "inspection_phone",
        "arbitration_name",
        "arbitration_phone",
    )

    def _city(self, request) -> bool:
        return scope_of(request.user).all

    def has_add_permission(self, request):
        return self._city(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._city(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._city(request) and super().has_delete_permission(request, obj)
