"""Admin: training-subsidy claims (read-only: figures, evidence and whether its hash still verifies; county
scope) and outcome cohorts (read-only, recomputed nightly by ``recompute_outcomes``)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import EventInline, ScopedAdmin

from ..interface import verify_evidence
from ..models import OutcomeCohort, TrainingClaim, TrainingClaimEvent


class ClaimEventInline(EventInline):
    model = TrainingClaimEvent


@admin.register(TrainingClaim)
class TrainingClaimAdmin(ScopedAdmin):
    list_display = (
        "id",
        "enrollment",
        "claimant_kind",
        "status",
        "amount",
        "rule_version",
        "hash_ok",
        "created_at",
    )
    list_filter = ("status", "claimant_kind", "enrollment__training_class__scope_unit")
    list_select_related = ("enrollment__training_class", "enrollment__worker")
    date_hierarchy = "created_at"
    workflow_fields = ("status", "amount", "calculation", "rule_version", "evidence", "evidence_sha256")
    fields = (
        "enrollment",
        "claimant_kind",
        "status",
        "amount",
        "rule_version",
        "figures",
        "evidence_sha256",
        "hash_ok",
        "evidence_pretty",
        "created_by",
        "submitted_at",
    )
    readonly_fields = fields
    inlines = [ClaimEventInline]

    def has_add_permission(self, request):
        return False  # claims come from the calculator (pages, API)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("材料校验"), boolean=True)
    def hash_ok(self, obj) -> bool:
        return verify_evidence(obj)

    @admin.display(description=_("测算明细"))
    def figures(self, obj):
        reasons = obj.calculation.get("reasons", [])
        return format_html(
            "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((text,) for _code, text in reasons))
        )

    @admin.display(description=_("佐证材料"))
    def evidence_pretty(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.evidence, ensure_ascii=False, indent=1, sort_keys=True)
        )


@admin.register(OutcomeCohort)
class OutcomeCohortAdmin(admin.ModelAdmin):
    list_display = (
        "institution",
        "item",
        "cohort_month",
        "completers",
        "certified",
        "worked_3m",
        "worked_6m",
        "median_daily_before",
        "median_daily_after",
        "computed_at",
    )
    list_filter = ("item", "institution__scope_unit")
    list_select_related = ("institution", "item")
    date_hierarchy = "cohort_month"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in OutcomeCohort._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
