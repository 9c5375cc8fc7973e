"""Admin: the employers' insured-list claims (ADR 0037) — read-only, county scope (the employer's county),
with the per-row and per-person report; the applications they made are reviewed in the applications'
queues."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin

from ..choices import CLAIM_PERSON_OUTCOMES, ClaimRowOutcome
from ..models import InsuredListClaim


def _table(head: list, rows) -> str:
    header = format_html_join("", "<th>{}</th>", ((h,) for h in head))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((c,) for c in r)),) for r in rows)
    )
    return format_html("<table><tr>{}</tr>{}</table>", header, body)


@admin.register(InsuredListClaim)
class InsuredListClaimAdmin(ScopedAdmin):
    list_display = (
        "id",
        "employer",
        "month",
        "payer_kind",
        "dry_run",
        "applications_count",
        "amount_total",
        "created_at",
    )
    list_filter = ("dry_run", "payer_kind", "month")
    search_fields = ("employer__display_name", "file_name")
    fields = (
        "employer",
        "payer_kind",
        "month",
        "file_name",
        "dry_run",
        "uploaded_by",
        "created_at",
        "counts",
        "applications_count",
        "amount_total",
        "report_table",
        "people_table",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("结果"))
    def counts(self, obj):
        return _("共 %(t)s 行：新增 %(c)s，相同 %(i)s，冲突 %(x)s，查无此人 %(u)s，格式错误 %(e)s") % {
            "t": obj.rows_total,
            "c": obj.created_count,
            "i": obj.identical_count,
            "x": obj.conflict_count,
            "u": obj.unknown_count,
            "e": obj.invalid_count,
        }

    @admin.display(description=gettext_lazy("逐行结果"))
    def report_table(self, obj):
        if not obj.report:
            return "—"
        labels = dict(ClaimRowOutcome.choices)
        return _table(
            [_("行"), _("人员"), _("保单号"), _("保费（元）"), _("结果"), _("说明")],
            (
                (
                    e.get("row", ""),
                    e.get("person", ""),
                    e.get("policy", ""),
                    e.get("premium", ""),
                    labels.get(e.get("outcome"), e.get("outcome", "")),
                    " ".join(x for x in (e.get("message", ""), e.get("excluded", "")) if x),
                )
                for e in obj.report[:2000]
            ),
        )

    @admin.display(description=gettext_lazy("逐人结果"))
    def people_table(self, obj):
        if not obj.people:
            return "—"
        return _table(
            [_("人员"), _("金额（元）"), _("结果"), _("申请编号"), _("说明")],
            (
                (
                    p.get("person", ""),
                    p.get("amount", ""),
                    CLAIM_PERSON_OUTCOMES.get(p.get("outcome"), p.get("outcome", "")),
                    p.get("application", ""),
                    p.get("message", ""),
                )
                for p in obj.people[:2000]
            ),
        )

    def has_add_permission(self, request):
        return False  # employers upload on their own page (the service decides)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
