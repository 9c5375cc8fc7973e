"""Staff's view of the catalogue and the facts. Facts are written only by ``reports.services.compute``: the
admin shows them read-only."""

from django.contrib import admin

from core.admin import ScopedAdmin

from .models import Fact, Indicator, ReportRun


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "source_app", "method", "additive", "stock", "sort")
    list_filter = ("method", "source_app")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("code", "method")


@admin.register(Fact)
class FactAdmin(ScopedAdmin):
    list_display = ("indicator", "period", "org_unit", "breakdown_key", "breakdown_value", "value", "source")
    list_filter = ("period_kind", "source", "indicator")
    search_fields = ("period",)
    list_select_related = ("indicator", "org_unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Recomputes are started from the dashboard (``reports.runs.run_start``): read-only here."""

    list_display = ("period", "status", "indicators_done", "indicators_total", "started_by", "created_at")
    list_filter = ("status",)
    search_fields = ("period",)
    list_select_related = ("started_by",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
