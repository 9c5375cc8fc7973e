"""Admin: the proactive offer (免申即享) — its runs (start one now; follow its progress: people checked of
people, errors so far, offers made; the page refreshes itself while it runs, no JavaScript; the result report)
and the offers made, each with the calculator's reasons (county scope). Statuses are read-only: they move
only through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.admin import EventInline, ScopedAdmin
from core.errors import DomainError

from ..models import Offer, OfferEvent, OfferRun, OfferRunEvent
from ..services import offers as services


class OfferRunEventInline(EventInline):
    model = OfferRunEvent


class OfferEventInline(EventInline):
    model = OfferEvent


@admin.register(OfferRun)
class OfferRunAdmin(ScopedAdmin):
    list_display = (
        "id",
        "as_of",
        "status",
        "progress",
        "errors",
        "offered_count",
        "started_by",
        "created_at",
    )
    list_filter = ("status",)
    workflow_fields = ("status",)
    fields = (
        "as_of",
        "status",
        "progress",
        "errors",
        "offered_count",
        "failure",
        "started_by",
        "started_at",
        "finished_at",
        "report_table",
    )
    readonly_fields = fields
    inlines = [OfferRunEventInline]
    change_form_template = "admin/subsidies/offerrun/change_form.html"
    change_list_template = "admin/subsidies/offerrun/change_list.html"

    @admin.display(description=gettext_lazy("进度"))
    def progress(self, obj):
        return _("%(done)s / %(total)s 人次") % {"done": obj.rows_done, "total": obj.rows_total}

    @admin.display(description=gettext_lazy("结果"))
    def report_table(self, obj):
        if not obj.report:
            return "—"
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("人员编号"),
            _("项目"),
            _("期间"),
            _("结果"),
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e.get("person", ""),
                    e.get("program", ""),
                    e.get("period") or e.get("day", ""),
                    _("出错：%(error)s") % {"error": e["error"]}
                    if e.get("error")
                    else _("已推送，测算 %(amount)s 元") % {"amount": e.get("amount", "")},
                )
                for e in obj.report[:2000]
            ),
        )
        return format_html("<table>{}{}</table>", head, rows)

    def has_add_permission(self, request):
        return False  # a run starts from the list's button (the service queues its task)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        urls = [
            path(
                "start/",
                self.admin_site.admin_view(require_POST(self.start_view)),
                name="subsidies_offerrun_start",
            )
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_start": request.user.has_perm(services.RUN_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def start_view(self, request):
        if not request.user.has_perm(services.RUN_PERMISSION):
            raise PermissionDenied
        try:
            run = services.offer_run_start(actor=request.user, request=request)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(reverse("admin:subsidies_offerrun_changelist"))
        messages.success(request, _("已开始测算，本页会显示进度。"))
        return redirect(reverse("admin:subsidies_offerrun_change", args=[run.pk]))


@admin.register(Offer)
class OfferAdmin(ScopedAdmin):
    """The candidates the finder found and was told, with the calculator's reasons."""

    list_display = ("id", "person", "program_type", "period_start", "amount", "status", "notified_at")
    list_filter = ("program_type", "status", "period_start")
    list_select_related = ("person", "program_type")
    workflow_fields = ("status",)
    fields = (
        "person",
        "program_type",
        "period_start",
        "period_end",
        "amount",
        "status",
        "reasons_list",
        "decision",
        "run",
        "notified_at",
        "answered_at",
    )
    readonly_fields = fields
    inlines = [OfferEventInline]

    @admin.display(description=gettext_lazy("测算理由"))
    def reasons_list(self, obj):
        reasons = obj.decision.reasons
        return format_html("<br>".join(["{}"] * len(reasons)), *[text for _code, text in reasons]) or "—"

    def has_add_permission(self, request):
        return False  # offers come from the finder

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
