"""Admin: the calculator's stored decisions, insured premiums and the subsidies on record (county scope)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ScopedAdmin

from ..models import EligibilityDecision, Entitlement, InsuredPremium


@admin.register(EligibilityDecision)
class EligibilityDecisionAdmin(ScopedAdmin):
    list_display = (
        "id",
        "person",
        "program_type",
        "period_start",
        "eligible",
        "amount",
        "parameter_version",
        "computed_at",
    )
    list_filter = ("program_type", "eligible")
    list_select_related = ("person", "program_type")
    date_hierarchy = "computed_at"
    fields = (
        "person",
        "program_type",
        "parameter",
        "parameter_version",
        "period_start",
        "period_end",
        "eligible",
        "amount",
        "reasons_list",
        "needs_list",
        "figures_pretty",
        "computed_at",
    )
    readonly_fields = fields

    @admin.display(description=_("理由"))
    def reasons_list(self, obj):
        return format_html("<br>".join(["{}"] * len(obj.reasons)), *[text for _code, text in obj.reasons])

    @admin.display(description=_("还需要"))
    def needs_list(self, obj):
        return format_html("<br>".join(["{}"] * len(obj.needs)), *[text for _code, text in obj.needs]) or "—"

    @admin.display(description=_("计算过程"))
    def figures_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.figures, ensure_ascii=False, indent=2))

    def has_add_permission(self, request):
        return False  # decisions come from the calculator

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InsuredPremium)
class InsuredPremiumAdmin(ScopedAdmin):
    list_display = (
        "person",
        "payer_name",
        "payer_kind",
        "policy_number",
        "month",
        "premium",
        "injury_covered",
        "is_manager",
    )
    list_filter = ("payer_kind", "injury_covered", "is_manager")
    list_select_related = ("person",)
    raw_id_fields = ("person", "payer", "work_order")


@admin.register(Entitlement)
class EntitlementAdmin(ScopedAdmin):
    """Months or amounts already subsidised: the previous system's records are entered here (source
    "原系统已享受"); rows of the portal's own applications will come from their approval."""

    list_display = ("person", "program_type", "month", "amount", "source", "reference")
    list_filter = ("program_type", "source")
    list_select_related = ("person", "program_type")
    raw_id_fields = ("person", "decision")

    def has_delete_permission(self, request, obj=None):
        return False
