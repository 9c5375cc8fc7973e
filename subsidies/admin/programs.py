"""Admin: program types (their strategy codes, checked against the registry) and parameter rows. A parameter
row is a notice's figures from a date: a new notice is a new row (close the old one with its end date)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ScopedAdmin

from ..models import FIGURE_FIELDS, ProgramParameter, ProgramType


class ParameterInline(admin.TabularInline):
    model = ProgramParameter
    extra = 0
    fields = ("version", "scope_unit", "effective_from", "effective_to", "notice")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgramType)
class ProgramTypeAdmin(ScopedAdmin):
    list_display = (
        "code",
        "name",
        "eligibility_strategy",
        "amount_strategy",
        "dedup_strategy",
        "cycle_strategy",
    )
    fields = (
        "code",
        "name",
        "summary",
        "eligibility_strategy",
        "amount_strategy",
        "dedup_strategy",
        "cycle_strategy",
        "offered_to_workers",
        "sort",
    )
    inlines = [ParameterInline]

    def has_delete_permission(self, request, obj=None):
        return False  # decisions point at programs


@admin.register(ProgramParameter)
class ProgramParameterAdmin(ScopedAdmin):
    list_display = ("program_type", "version", "scope_unit", "effective_from", "effective_to", "notice")
    list_filter = ("program_type", "scope_unit")
    search_fields = ("version", "notice")
    fieldsets = (
        (None, {"fields": ("program_type", "version", "scope_unit", "effective_from", "effective_to")}),
        (
            ProgramType._meta.get_field("eligibility_strategy").verbose_name,
            {"fields": FIGURE_FIELDS},
        ),
        (ProgramParameter._meta.get_field("notice").verbose_name, {"fields": ("notice", "basis")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # a row decisions were made under keeps its figures: a changed notice is a new row
        if obj is not None and obj.decisions.exists():
            return [f.name for f in obj._meta.concrete_fields if f.name not in ("effective_to", "basis")]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
