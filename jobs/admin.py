"""Staff work on jobs in the admin, scoped by county: reviewing employers and postings (with the checklist
and the keyword screen's flags), reports, occupations and fairs. Workflow fields are read-only; transitions
are actions and pages that call the services, and every workflow's events show inline."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin, admin_message_error
from core.choices import DivisionLevel
from core.errors import DomainError
from core.models import Division

from . import services
from .models import (
    Application,
    ApplicationEvent,
    Certificate,
    EmployerEvent,
    EmployerProfile,
    FairBooth,
    FairRegistration,
    JobFair,
    Occupation,
    PersonCategory,
    Posting,
    PostingEvent,
    PostingReport,
    PostingReportEvent,
    WorkerProfile,
    WorkerSkill,
)


@admin.register(Occupation)
class OccupationAdmin(ScopedAdmin):
    list_display = ("name", "parent", "code", "licensed", "minors_forbidden", "is_active")
    list_filter = ("parent", "licensed", "minors_forbidden", "is_active")
    search_fields = ("name", "code")


class SkillInline(admin.TabularInline):
    model = WorkerSkill
    extra = 0


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    # verification is a workflow (counter staff verify on the worker's pages: certificate_verify)
    readonly_fields = ("status", "verified_by", "verified_at")


@admin.register(WorkerProfile)
class WorkerProfileAdmin(ScopedAdmin):
    list_display = ("user", "expected_wage", "expected_unit", "max_distance_km", "assisted_by", "created_at")
    search_fields = ("=user__phone", "user__real_name")
    list_select_related = ("user", "assisted_by")
    readonly_fields = ("user", "assisted_by")
    inlines = [SkillInline, CertificateInline]

    def has_add_permission(self, request):
        return False


@admin.register(PersonCategory)
class PersonCategoryAdmin(ScopedAdmin):
    """Staff record a person's category from a date with the evidence they saw (``person_category_record``:
    the earlier open row of the same category is closed); a recorded row is not edited but its end date."""

    list_display = ("user", "category", "new_form_kind", "valid_from", "valid_to", "source", "recorded_by")
    list_filter = ("category", "source", "user__scope_unit")
    list_select_related = ("user", "recorded_by")
    raw_id_fields = ("user",)
    fields = (
        "user",
        "category",
        "new_form_kind",
        "valid_from",
        "valid_to",
        "evidence",
        "source",
        "recorded_by",
    )
    date_hierarchy = "valid_from"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("source", "recorded_by")
        return ("user", "category", "new_form_kind", "valid_from", "source", "recorded_by")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        row = services.person_category_record(
            person=obj.user,
            actor=request.user,
            category=obj.category,
            new_form_kind=obj.new_form_kind,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            evidence=obj.evidence,
            request=request,
        )
        obj.pk = row.pk
        obj.source, obj.recorded_by = row.source, row.recorded_by


class EmployerEventInline(EventInline):
    model = EmployerEvent


@admin.register(EmployerProfile)
class EmployerProfileAdmin(ScopedAdmin):
    list_display = ("display_name", "kind", "scope_unit", "status", "trusted", "created_at")
    list_filter = ("status", "kind", "trusted", "scope_unit")
    search_fields = ("display_name", "=user__phone")
    workflow_fields = ("status", "reviewed_by", "reviewed_at", "review_note")
    readonly_fields = ("user", "organization")
    inlines = [EmployerEventInline]
    actions = [*ScopedAdmin.actions, "approve", "reject"]

    def has_add_permission(self, request):
        return False

    def _review(self, request, queryset, *, approve: bool, note: str, done: str):
        count = 0
        for employer in queryset:  # already scoped by get_queryset
            try:
                services.employer_review(
                    employer=employer, actor=request.user, approve=approve, note=note, request=request
                )
                count += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        if count:
            messages.success(request, done % {"n": count})

    @admin.action(description=gettext_lazy("审核通过"), permissions=["change"])
    def approve(self, request, queryset):
        self._review(request, queryset, approve=True, note="", done=_("已审核通过 %(n)s 个用工登记。"))

    @admin.action(description=gettext_lazy("审核不通过"), permissions=["change"])
    def reject(self, request, queryset):
        self._review(
            request, queryset, approve=False, note=_("资料不符"), done=_("已退回 %(n)s 个用工登记。")
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核结果"),
        widget=forms.RadioSelect,
        choices=[("approve", gettext_lazy("通过并发布")), ("reject", gettext_lazy("退回修改"))],
    )
    note = forms.CharField(
        label=gettext_lazy("意见（退回时必填）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in services.REVIEW_CHECKLIST:
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)


class PostingEventInline(EventInline):
    model = PostingEvent


@admin.register(Posting)
class PostingAdmin(ScopedAdmin):
    list_display = (
        "title",
        "occupation",
        "scope_unit",
        "status",
        "flag_col",
        "daily_wage",
        "work_start_date",
        "headcount",
        "accepted_count",
    )
    list_filter = ("status", "scope_unit", "occupation__parent", "settlement")
    search_fields = ("title", "employer__display_name")
    list_select_related = ("occupation", "scope_unit")
    workflow_fields = (
        "status",
        "reviewed_by",
        "review_note",
        "published_at",
        "accepted_count",
        "daily_wage",
        "screen_flags_display",
    )
    readonly_fields = ("employer",)
    # the review button sits in the page's object tools (templates/admin/jobs/posting/change_form.html)
    exclude = ("search_text", "search_tokens", "screen_flags")
    inlines = [PostingEventInline]

    @admin.display(description=gettext_lazy("审核提示"))
    def screen_flags_display(self, obj):
        """The keyword screen's findings as a list a reviewer reads, never the stored JSON."""
        if not obj.screen_flags:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>{}“{}”</li>",
                ((f["label"], _("："), f["match"]) for f in obj.screen_flags),
            ),
        )

    def get_form(self, request, obj=None, **kwargs):
        request._posting_editing = obj  # per request: the admin instance is shared
        return super().get_form(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """乡镇（街道）: only the towns of the posting's county (tens, not the province's thousands)."""
        if db_field.name == "town":
            posting = getattr(request, "_posting_editing", None)
            towns = Division.objects.filter(level=DivisionLevel.TOWN).order_by("code")
            county = posting.scope_unit.division_id if posting and posting.scope_unit_id else None
            kwargs["queryset"] = towns.filter(parent_id=county) if county else towns.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("审核提示"))
    def flag_col(self, obj):
        return "、".join(f["label"] for f in obj.screen_flags) or "—"

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/", self.admin_site.admin_view(self.review_view), name="jobs_posting_review"
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, pk):
        posting = self.get_queryset(request).filter(pk=pk).first()
        if posting is None:
            raise Http404
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    checklist = {key: data[f"check_{key}"] for key, _label in services.REVIEW_CHECKLIST}
                    services.posting_approve(
                        posting=posting,
                        actor=request.user,
                        checklist=checklist,
                        note=data["note"],
                        request=request,
                    )
                else:
                    services.posting_reject(
                        posting=posting, actor=request.user, reason=data["note"], request=request
                    )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                for field, errors in (exc.fields or {}).items():
                    if field != "checklist":
                        for error in errors:
                            if str(error) != str(exc.message):  # the same sentence once
                                form.add_error(None, str(error))
            else:
                messages.success(request, _("已审核。"))
                return redirect("admin:jobs_posting_changelist")
        flags = format_html_join(
            "", "<li><strong>{}</strong>：“{}”</li>", ((f["label"], f["match"]) for f in posting.screen_flags)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": Posting._meta,
            "original": posting,
            "form": form,
            "flags": flags,
            "title": _("审核招聘信息"),
        }
        return render(request, "admin/jobs/review.html", context)


class PostingReportEventInline(EventInline):
    model = PostingReportEvent


@admin.register(PostingReport)
class PostingReportAdmin(ScopedAdmin):
    list_display = ("posting", "reason", "status", "created_at", "handled_at")
    list_filter = ("status", "reason")
    readonly_fields = ("posting", "reason", "detail", "reporter", "created_at")
    workflow_fields = ("status", "handled_by", "handled_at")
    inlines = [PostingReportEventInline]
    actions = [*ScopedAdmin.actions, "mark_handled", "dismiss"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, service, done: str):
        count = 0
        for report in queryset:  # already scoped by get_queryset
            try:
                service(report=report, actor=request.user, request=request)
                count += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        if count:
            messages.success(request, done % {"n": count})

    @admin.action(description=gettext_lazy("标记为已处理"), permissions=["change"])
    def mark_handled(self, request, queryset):
        self._decide(request, queryset, services.posting_report_handle, _("已处理 %(n)s 条举报。"))

    @admin.action(description=gettext_lazy("不予处理（举报不实）"), permissions=["change"])
    def dismiss(self, request, queryset):
        self._decide(request, queryset, services.posting_report_dismiss, _("已关闭 %(n)s 条举报。"))


class ApplicationEventInline(EventInline):
    model = ApplicationEvent


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    list_display = ("posting", "worker", "status", "source", "acted_by", "created_at")
    list_filter = ("status", "source")
    list_select_related = ("posting", "worker", "acted_by")
    workflow_fields = ("status", "decided_at")
    readonly_fields = ("posting", "worker", "source", "acted_by")
    inlines = [ApplicationEventInline]

    def has_add_permission(self, request):
        return False


class BoothInline(admin.TabularInline):
    model = FairBooth
    extra = 0


class RegistrationInline(admin.TabularInline):
    model = FairRegistration
    extra = 0


@admin.register(JobFair)
class JobFairAdmin(ScopedAdmin):
    list_display = (
        "title",
        "kind",
        "scope_unit",
        "starts_at",
        "booth_capacity",
        "attendance",
        "intents",
        "hires",
    )
    list_filter = ("kind", "scope_unit")
    inlines = [BoothInline, RegistrationInline]
