"""Training in the admin: institution review (file, return, suspend, reinstate, revoke and grade are actions
that call the services, with the note typed in the action bar), spot checks (recorded through the service),
sign-up points. Scoped to the staff member's county by ``ScopedAdmin``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError

from ..choices import InstitutionGrade
from ..models import Institution, InstitutionEvent, InstitutionMember, SignUpPoint, SpotCheck
from ..services import institutions as services


class NoteActionForm(helpers.ActionForm):
    note = forms.CharField(label=gettext_lazy("意见或原因"), required=False, max_length=300)


def run_each(request, queryset, step, label) -> None:
    """Call ``step(row, note)`` for each selected row; each refusal is shown with its reason."""
    note = (request.POST.get("note") or "").strip()
    done = 0
    for row in queryset:
        try:
            step(row, note)
            done += 1
        except DomainError as exc:
            messages.error(request, f"{row}: {exc.message}")
    if done:
        messages.success(request, _("已%(label)s %(n)s 项。") % {"label": label, "n": done})


class MemberInline(admin.TabularInline):
    model = InstitutionMember
    extra = 0
    can_delete = False
    fields = readonly_fields = ("user", "is_admin", "is_teacher", "added_at")

    def has_add_permission(self, request, obj=None):
        return False  # the institution's administrator adds members on its pages


class InstitutionEventInline(EventInline):
    model = InstitutionEvent


class SpotCheckInline(admin.TabularInline):
    model = SpotCheck
    extra = 0
    can_delete = False
    fields = readonly_fields = ("checked_on", "checked_by", "result", "findings", "trainees_present")

    def has_add_permission(self, request, obj=None):
        return False


WORKFLOW_FIELDS = ("status", "filing_number", "filed_at", "reviewed_by", "review_note", "grade")


@admin.register(Institution)
class InstitutionAdmin(ScopedAdmin):
    list_display = ("name", "uscc", "scope_unit", "status", "grade", "filing_number", "filed_at")
    list_filter = ("status", "scope_unit", "grade")
    search_fields = ("name", "uscc")
    workflow_fields = WORKFLOW_FIELDS
    readonly_fields = (*WORKFLOW_FIELDS, "licence_scan_note")
    exclude = ("licence_scan",)  # private storage has no URL
    inlines = [MemberInline, InstitutionEventInline, SpotCheckInline]
    action_form = NoteActionForm
    actions = [
        *ScopedAdmin.actions,
        "file_institutions",
        "return_institutions",
        "suspend_institutions",
        "reinstate_institutions",
        "revoke_institutions",
        "grade_a",
        "grade_b",
        "grade_c",
    ]

    @admin.display(description=gettext_lazy("许可证扫描件"))
    def licence_scan_note(self, obj):
        if not (obj and obj.licence_scan):
            return _("未上传")
        url = reverse("admin:training_institution_licence", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("查看扫描件（记录查看）"))

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/licence/",
                self.admin_site.admin_view(self.licence_view),
                name="training_institution_licence",
            )
        ]
        return urls + super().get_urls()

    def licence_view(self, request, object_id):
        """The licence scan, for staff who see the institution (its county's, the city's); each view is
        audited. The file lives in private storage, which no URL serves."""
        obj = self.get_queryset(request).filter(pk=object_id).first()
        if obj is None or not obj.licence_scan or not self.has_view_permission(request, obj):
            raise Http404
        try:
            handle = obj.licence_scan.open("rb")
        except OSError:
            raise Http404 from None
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=obj,
            reason=_("查看许可证扫描件"),
            request=request,
        )
        is_pdf = obj.licence_scan.name.endswith(".pdf")
        response = FileResponse(handle, content_type="application/pdf" if is_pdf else "image/jpeg")
        response["Content-Disposition"] = "inline"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def has_add_permission(self, request):
        return False  # institutions apply on the pages

    @admin.action(description=gettext_lazy("备案"), permissions=["change"])
    def file_institutions(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda row, note: services.institution_review(row, request.user, True, note, request=request),
            _("备案"),
        )

    @admin.action(description=gettext_lazy("退回修改（填写意见）"), permissions=["change"])
    def return_institutions(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda row, note: services.institution_review(row, request.user, False, note, request=request),
            _("退回"),
        )

    @admin.action(description=gettext_lazy("暂停（填写原因）"), permissions=["change"])
    def suspend_institutions(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda row, note: services.institution_suspend(row, request.user, note, request=request),
            _("暂停"),
        )

    @admin.action(description=gettext_lazy("恢复备案（填写原因）"), permissions=["change"])
    def reinstate_institutions(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda row, note: services.institution_reinstate(row, request.user, note, request=request),
            _("恢复"),
        )

    @admin.action(description=gettext_lazy("撤销备案（填写原因）"), permissions=["change"])
    def revoke_institutions(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda row, note: services.institution_revoke(row, request.user, note, request=request),
            _("撤销"),
        )

    def _grade(self, request, queryset, grade):
        run_each(
            request,
            queryset,
            lambda row, note: services.institution_grade(row, request.user, grade, request=request),
            _("评级"),
        )

    @admin.action(description=gettext_lazy("评为A级"), permissions=["change"])
    def grade_a(self, request, queryset):
        self._grade(request, queryset, InstitutionGrade.A)

    @admin.action(description=gettext_lazy("评为B级"), permissions=["change"])
    def grade_b(self, request, queryset):
        self._grade(request, queryset, InstitutionGrade.B)

    @admin.action(description=gettext_lazy("评为C级"), permissions=["change"])
    def grade_c(self, request, queryset):
        self._grade(request, queryset, InstitutionGrade.C)


@admin.register(SpotCheck)
class SpotCheckAdmin(ScopedAdmin):
    list_display = ("institution", "checked_on", "result", "checked_by", "trainees_present")
    list_filter = ("result", "institution__scope_unit")
    date_hierarchy = "checked_on"
    readonly_fields = ("checked_by",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a record of what was found is not rewritten
            return [f.name for f in SpotCheck._meta.fields]
        return super().get_readonly_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "institution":
            kwargs["queryset"] = Institution.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        try:
            saved = services.spot_check_record(
                data["institution"],
                request.user,
                checked_on=data["checked_on"],
                result=data["result"],
                findings=data.get("findings", ""),
                training_class=data.get("training_class"),
                trainees_present=data.get("trainees_present"),
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            raise
        obj.pk = saved.pk


@admin.register(SignUpPoint)
class SignUpPointAdmin(ScopedAdmin):
    list_display = ("institution", "market", "kind", "location", "is_active")
    list_filter = ("kind", "is_active", "market__scope_unit")
    search_fields = ("institution__name", "market__name", "location")
    readonly_fields = [f.name for f in SignUpPoint._meta.fields]

    def has_add_permission(self, request):
        return False  # the institution opens its points on its pages
