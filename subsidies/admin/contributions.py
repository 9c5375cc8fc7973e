"""Admin: the contribution import — upload a file (or try it: a dry run), follow its progress (rows done of
rows, problem rows so far; the page refreshes itself while it runs, no JavaScript) and read the per-row
report; and the contribution months on record (read-only: they change only by import)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin
from core.errors import DomainError

from ..choices import RowOutcome
from ..models import ContributionImport, ContributionImportEvent, ContributionMonth
from ..services import contributions as services


class ImportEventInline(EventInline):
    model = ContributionImportEvent


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("缴费记录文件（CSV 或 XLSX）"))
    dry_run = forms.BooleanField(label=gettext_lazy("试导入：只出报告，不写入"), required=False, initial=True)


@admin.register(ContributionImport)
class ContributionImportAdmin(ScopedAdmin):
    list_display = ("id", "file_name", "dry_run", "status", "progress", "errors", "uploaded_by", "created_at")
    list_filter = ("status", "dry_run")
    workflow_fields = ("status",)
    fields = (
        "file_name",
        "dry_run",
        "status",
        "progress",
        "counts",
        "failure",
        "uploaded_by",
        "started_at",
        "finished_at",
        "report_table",
    )
    readonly_fields = fields
    inlines = [ImportEventInline]
    change_form_template = "admin/subsidies/contributionimport/change_form.html"
    change_list_template = "admin/subsidies/contributionimport/change_list.html"

    @admin.display(description=gettext_lazy("进度"))
    def progress(self, obj):
        return _("%(done)s / %(total)s 行") % {"done": obj.rows_done, "total": obj.rows_total}

    @admin.display(description=gettext_lazy("结果"))
    def counts(self, obj):
        return _("新增 %(c)s，更新 %(u)s，相同 %(i)s，冲突 %(x)s，格式错误 %(e)s") % {
            "c": obj.created_count,
            "u": obj.updated_count,
            "i": obj.identical_count,
            "x": obj.conflict_count,
            "e": obj.invalid_count,
        }

    @admin.display(description=gettext_lazy("逐行结果"))
    def report_table(self, obj):
        if not obj.report:
            return "—"
        labels = dict(RowOutcome.choices)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e["row"],
                    e.get("person", ""),
                    e.get("month", ""),
                    labels.get(e["outcome"], e["outcome"]),
                    e.get("message", ""),
                )
                for e in obj.report[:2000]
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("行"),
            _("人员"),
            _("月份"),
            _("结果"),
            _("说明"),
        )
        return format_html("<table>{}{}</table>", head, rows)

    def has_add_permission(self, request):
        return False  # uploads go through the upload page (the service starts the task)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        urls = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="subsidies_contributionimport_upload",
            )
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_upload": request.user.has_perm(services.IMPORT_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        if not request.user.has_perm(services.IMPORT_PERMISSION):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                row = services.contribution_import_start(
                    actor=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                    request=request,
                )
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, str(error))
                if not exc.fields:
                    form.add_error(None, str(exc.message))
                status = 400
            else:
                messages.success(request, _("已开始导入，本页会显示进度。"))
                return redirect(reverse("admin:subsidies_contributionimport_change", args=[row.pk]))
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入社保缴费记录"),
            "form": form,
            "columns": [aliases[0] for aliases in services.COLUMNS.values()],
        }
        return TemplateResponse(
            request, "admin/subsidies/contributionimport/upload.html", context, status=status
        )


@admin.register(ContributionMonth)
class ContributionMonthAdmin(ScopedAdmin):
    list_display = ("person", "month", "pension_paid", "medical_paid", "base", "source_import")
    list_filter = ("month",)
    list_select_related = ("person",)
    fields = ("person", "month", "pension_paid", "medical_paid", "base", "source", "source_import")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # contribution months come from the social-insurance system's import

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
