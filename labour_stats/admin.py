"""Admin for wage guidance prices and supply-demand statistics. City-wide figures (no county scope of their
own): staff read them; cells and statistics are read-only; "add" computes a month's draft, and the actions
recompute drafts and publish them through the services (published months are immutable)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, admin_message_error
from core.errors import DomainError
from core.months import month_start

from .choices import GuidanceStatus
from .models import SupplyDemandStat, WageGuidance, WageGuidanceCell, WageGuidanceEvent
from .permissions import can_publish_guidance
from .services import guidance_compute, guidance_publish

CELL_FIELDS = ("occupation", "scope_unit", "p10", "p25", "p50", "p75", "p90", "sample_size", "employer_count")


class WageGuidanceCellInline(admin.TabularInline):
    model = WageGuidanceCell
    extra = 0
    can_delete = False
    fields = CELL_FIELDS
    readonly_fields = CELL_FIELDS
    ordering = ("occupation__sort", "occupation__code", "scope_unit__code")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WageGuidanceEventInline(EventInline):
    model = WageGuidanceEvent


@admin.register(WageGuidance)
class WageGuidanceAdmin(admin.ModelAdmin):
    list_display = ("month", "status", "cell_count", "computed_at", "published_at", "published_by")
    list_filter = ("status",)
    readonly_fields = (
        "status",
        "computed_at",
        "published_at",
        "published_by",
        "min_observations",
        "min_employers",
    )
    inlines = [WageGuidanceCellInline, WageGuidanceEventInline]
    actions = ["compute_draft", "publish"]

    @admin.display(description=gettext_lazy("公布单元数"))
    def cell_count(self, obj):
        return obj.cells.count()

    def get_readonly_fields(self, request, obj=None):
        # the month is chosen when the draft is first computed; afterwards nothing here is edited by hand
        return (*self.readonly_fields, "month") if obj is not None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("month",) if obj is None else ("month", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        """Adding computes the month's draft through the service (never a hand-made row)."""
        if change:
            return
        computed = guidance_compute(month=month_start(obj.month), actor=request.user, request=request)
        obj.pk = computed.pk
        obj.refresh_from_db()

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_change_permission(self, request, obj=None):
        # the change page only shows the record; edits happen through the actions
        return obj is None and super().has_change_permission(request)

    def has_add_permission(self, request):
        return can_publish_guidance(request.user)

    def has_delete_permission(self, request, obj=None):
        return bool(
            obj is not None
            and obj.status == GuidanceStatus.DRAFT
            and super().has_delete_permission(request, obj)
        )

    def has_publish_permission(self, request):
        return can_publish_guidance(request.user)

    def has_compute_permission(self, request):
        return can_publish_guidance(request.user)

    @admin.action(description=gettext_lazy("重新计算草稿"), permissions=["compute"])
    def compute_draft(self, request, queryset):
        done = 0
        for guidance in queryset:
            try:
                guidance_compute(month=guidance.month, actor=request.user, request=request)
                done += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        self.message_user(request, _("已重新计算 %(n)s 个月份的草稿。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("发布（发布后不可更改）"), permissions=["publish"])
    def publish(self, request, queryset):
        done = 0
        for guidance in queryset:
            try:
                guidance_publish(guidance=guidance, actor=request.user, request=request)
                done += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        self.message_user(request, _("已发布 %(n)s 个月份。") % {"n": done}, messages.SUCCESS)


@admin.register(SupplyDemandStat)
class SupplyDemandStatAdmin(admin.ModelAdmin):
    list_display = (
        "month",
        "occupation",
        "scope_unit",
        "open_positions",
        "active_seekers",
        "ratio",
        "new_registrations",
        "postings",
        "hires",
        "avg_days_to_fill",
    )
    list_filter = ("month", "scope_unit")
    list_select_related = ("occupation", "scope_unit")
    search_fields = ("occupation__name", "occupation__code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
