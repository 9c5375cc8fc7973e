"""Admin: disbursement (ADR 0035). Batches — new (a draft), fill with the approved applications (a task whose
progress the page shows, refreshing itself while it runs, no JavaScript), download the bank's payment file
(CSV or XLSX: the one place full account numbers leave, audited), import the bank's result file, close;
payments (masked accounts; re-issue a failed one into a draft batch); the runs with their per-row reports;
the payee accounts (masked, with the audited reveal). Workflow fields are read-only: actions call services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin, admin_message_error
from core.errors import DomainError

from .. import bankfiles
from ..choices import ResultOutcome
from ..models import (
    DisbursementBatch,
    DisbursementBatchEvent,
    DisbursementRun,
    DisbursementRunEvent,
    PayeeAccount,
    Payment,
    PaymentEvent,
)
from ..services import disbursement as services

TOTAL_FIELDS = (
    "payment_count",
    "total_amount",
    "paid_count",
    "paid_amount",
    "failed_count",
    "returned_count",
)


class BatchEventInline(EventInline):
    model = DisbursementBatchEvent


class PaymentEventInline(EventInline):
    model = PaymentEvent


class RunEventInline(EventInline):
    model = DisbursementRunEvent


class ResultUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("银行回盘文件（CSV 或 XLSX）"))


def _progress(run) -> str:
    return _("%(done)s / %(total)s 行，问题 %(errors)s 行") % {
        "done": run.rows_done,
        "total": run.rows_total,
        "errors": run.errors,
    }


@admin.register(DisbursementBatch)
class DisbursementBatchAdmin(ScopedAdmin):
    list_display = (
        "number",
        "program_type",
        "scope_unit",
        "status",
        *TOTAL_FIELDS,
        "created_by",
        "created_at",
    )
    list_filter = ("status", "program_type", "scope_unit")
    list_select_related = ("program_type", "scope_unit", "created_by")
    search_fields = ("number",)
    workflow_fields = ("status",)
    readonly_fields = (
        "number",
        "created_by",
        *TOTAL_FIELDS,
        "exported_at",
        "export_count",
        "closed_at",
        "latest_runs",
    )
    inlines = [BatchEventInline]
    actions = ["generate_selected", "export_csv", "export_xlsx", "close_selected"]
    change_form_template = "admin/subsidies/disbursementbatch/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("program_type", "scope_unit", "note")
        return (
            "number",
            "program_type",
            "scope_unit",
            "status",
            "note",
            "created_by",
            *TOTAL_FIELDS,
            "exported_at",
            "export_count",
            "closed_at",
            "latest_runs",
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + (["program_type", "scope_unit"] if obj is not None else [])

    def has_add_permission(self, request):
        return services.may_disburse(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.batch_create(
            actor=request.user,
            program_type=obj.program_type,
            scope_unit=obj.scope_unit,
            note=obj.note,
            request=request,
        )
        obj.pk, obj.number, obj.created_by = created.pk, created.number, created.created_by
        obj._state.adding = False

    @admin.display(description=gettext_lazy("任务进度"))
    def latest_runs(self, obj):
        runs = list(obj.runs.order_by("-id")[:5])
        if not runs:
            return "—"
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
                (
                    (
                        reverse("admin:subsidies_disbursementrun_change", args=[r.pk]),
                        r.get_kind_display(),
                        r.get_status_display(),
                        _progress(r),
                        r.failure,
                    )
                    for r in runs
                ),
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_queryset(request).filter(pk=object_id).first()
        extra_context = {
            **(extra_context or {}),
            "running": bool(batch and batch.runs.filter(status__in=("queued", "running")).exists()),
            "may_disburse": services.may_disburse(request.user),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- actions: each calls a service ---
    @admin.action(description=gettext_lazy("生成发放明细（后台任务）"), permissions=["change"])
    def generate_selected(self, request, queryset):
        for batch in queryset:
            try:
                services.batch_generate_start(batch=batch, actor=request.user, request=request)
            except DomainError as exc:
                admin_message_error(request, exc)
            else:
                messages.success(
                    request, _("批次 %(n)s 已开始生成，批次页面显示进度。") % {"n": batch.number}
                )

    def _export(self, request, queryset, fmt):
        if queryset.count() != 1:
            messages.error(request, _("请只选择一个批次下载银行文件。"))
            return None
        try:
            name, data = services.batch_export(
                batch=queryset.get(), actor=request.user, fmt=fmt, request=request
            )
        except DomainError as exc:
            admin_message_error(request, exc)
            return None
        response = HttpResponse(
            data, content_type=bankfiles.XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(
        description=gettext_lazy("下载银行代发文件（CSV，含完整账号，记录导出）"), permissions=["change"]
    )
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(
        description=gettext_lazy("下载银行代发文件（XLSX，含完整账号，记录导出）"), permissions=["change"]
    )
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=gettext_lazy("关闭批次"), permissions=["change"])
    def close_selected(self, request, queryset):
        for batch in queryset:
            try:
                services.batch_close(batch=batch, actor=request.user, request=request)
            except DomainError as exc:
                admin_message_error(request, exc)

    # --- the result upload page ---
    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/import-result/",
                self.admin_site.admin_view(self.import_result_view),
                name="subsidies_disbursementbatch_import_result",
            )
        ]
        return urls + super().get_urls()

    def import_result_view(self, request, object_id):
        batch = self.get_queryset(request).filter(pk=object_id).first()
        if batch is None:
            return redirect(reverse("admin:subsidies_disbursementbatch_changelist"))
        if not services.may_disburse(request.user):
            raise PermissionDenied
        form = ResultUploadForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                services.result_import_start(
                    batch=batch, actor=request.user, uploaded_file=form.cleaned_data["file"], request=request
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = 400
            else:
                messages.success(request, _("已开始导入回盘，批次页面显示进度。"))
                return redirect(reverse("admin:subsidies_disbursementbatch_change", args=[batch.pk]))
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": batch,
            "title": _("导入银行回盘：%(n)s") % {"n": batch.number},
            "form": form,
            "columns": [aliases[0] for key, aliases in bankfiles.RESULT_COLUMNS.items() if key != "first"],
        }
        return TemplateResponse(
            request, "admin/subsidies/disbursementbatch/import_result.html", context, status=status
        )


class ReissueForm(ActionForm):
    batch = forms.CharField(label=gettext_lazy("重新发放到批次号"), required=False, max_length=24)


@admin.register(Payment)
class PaymentAdmin(ScopedAdmin):
    list_display = (
        "idempotency_key",
        "batch",
        "application",
        "person",
        "amount",
        "status",
        "account_kind",
        "account_masked",
        "failure_reason",
    )
    list_filter = ("status", "account_kind")
    list_select_related = ("batch", "application", "person")
    search_fields = ("idempotency_key", "application__number", "batch__number")
    fields = (
        "idempotency_key",
        "batch",
        "application",
        "person",
        "attempt",
        "reissue_of",
        "amount",
        "status",
        "account_kind",
        "bank_name",
        "holder_name",
        "account_masked",
        "bank_reference",
        "failure_reason",
        "result_at",
    )
    readonly_fields = fields
    workflow_fields = ("status",)
    inlines = [PaymentEventInline]
    action_form = ReissueForm
    actions = ["reissue_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # actions only

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=gettext_lazy("重新发放（失败或退回的，填写草稿批次号）"), permissions=["change"]
    )
    def reissue_selected(self, request, queryset):
        number = (request.POST.get("batch") or "").strip()
        batch = DisbursementBatch.objects.visible_to(request.user).filter(number=number).first()
        if batch is None:
            messages.error(request, _("请填写辖区内草稿批次的批次号。"))
            return
        for payment in queryset:
            try:
                services.payment_reissue(payment=payment, batch=batch, actor=request.user, request=request)
            except DomainError as exc:
                admin_message_error(request, exc)


@admin.register(DisbursementRun)
class DisbursementRunAdmin(ScopedAdmin):
    list_display = ("id", "batch", "kind", "status", "progress", "errors", "started_by", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("batch", "started_by")
    workflow_fields = ("status",)
    fields = (
        "batch",
        "kind",
        "status",
        "file_name",
        "progress",
        "counts",
        "failure",
        "started_by",
        "started_at",
        "finished_at",
        "report_table",
    )
    readonly_fields = fields
    inlines = [RunEventInline]
    change_form_template = "admin/subsidies/contributionimport/change_form.html"  # refreshes while it runs

    @admin.display(description=gettext_lazy("进度"))
    def progress(self, obj):
        return _progress(obj)

    @admin.display(description=gettext_lazy("逐行结果"))
    def report_table(self, obj):
        if not obj.report:
            return "—"
        labels = {**dict(ResultOutcome.choices), "skipped": _("未加入")}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e.get("row", ""),
                    e.get("reference") or e.get("application", ""),
                    labels.get(e["outcome"], e["outcome"]),
                    e.get("message", ""),
                )
                for e in obj.report[:2000]
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("行"),
            _("参考号或申请"),
            _("结果"),
            _("说明"),
        )
        return format_html("<table>{}{}</table>", head, rows)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayeeAccount)
class PayeeAccountAdmin(ScopedAdmin):
    list_display = (
        "person",
        "kind",
        "bank_name",
        "masked_account_number",
        "holder_name",
        "assisted",
        "updated_at",
    )
    list_filter = ("kind", "assisted")
    list_select_related = ("person",)
    fields = ("person", "kind", "bank_name", "holder_name", "entered_by", "assisted", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # entered by the person on their page, or by counter staff for them

    def has_delete_permission(self, request, obj=None):
        return False
