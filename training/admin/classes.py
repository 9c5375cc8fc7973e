"""Training in the admin: class approval (approve and return are actions that call ``class_review``, the
note typed in the action bar); sessions and events read-only. Scoped to the class's county."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin

from ..models import ClassSession, TrainingClass, TrainingClassEvent
from ..services import classes as services
from .institutions import NoteActionForm, run_each


class SessionInline(admin.TabularInline):
    model = ClassSession
    extra = 0
    can_delete = False
    fields = readonly_fields = ("starts_at", "ends_at", "class_hours", "topic", "teacher")

    def has_add_permission(self, request, obj=None):
        return False


class ClassEventInline(EventInline):
    model = TrainingClassEvent


WORKFLOW_FIELDS = (
    "status",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "review_note",
    "enrolled_count",
    "waitlist_count",
)


@admin.register(TrainingClass)
class TrainingClassAdmin(ScopedAdmin):
    list_display = (
        "title",
        "institution",
        "item",
        "scope_unit",
        "market",
        "starts_on",
        "status",
        "enrolled_count",
    )
    list_filter = ("status", "scope_unit", "mode", "venue_kind")
    search_fields = ("title", "institution__name")
    date_hierarchy = "starts_on"
    workflow_fields = WORKFLOW_FIELDS
    readonly_fields = [f.name for f in TrainingClass._meta.fields]
    inlines = [SessionInline, ClassEventInline]
    action_form = NoteActionForm
    actions = [*ScopedAdmin.actions, "approve_classes", "return_classes"]

    def has_add_permission(self, request):
        return False  # institutions apply on their pages

    @admin.action(description=gettext_lazy("批准开班"), permissions=["change"])
    def approve_classes(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda row, note: services.class_review(row, request.user, True, note, request=request),
            _("批准"),
        )

    @admin.action(description=gettext_lazy("退回修改（填写意见）"), permissions=["change"])
    def return_classes(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda row, note: services.class_review(row, request.user, False, note, request=request),
            _("退回"),
        )
