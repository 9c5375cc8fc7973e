"""Admin: attendance, refused sign-ins, results and certificates. Rows come from the sign-in, marking and
results services: they are read-only here, scoped through the enrollment, and the marking actions call the
same service as the attendance sheet (audited). A sign-in photo is never shown here: the link opens the
permission-checked page. Attendance statuses are data that staff maintain."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin
from core.errors import DomainError

from ..models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    SignInAttempt,
    TrainingCertificate,
    TrainingResult,
)
from ..services import attendance as services


class _ReadOnly(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _by_enrollment(queryset, user, path="enrollment"):
    return queryset.filter(**{f"{path}__in": Enrollment.objects.visible_to(user).values("pk")})


@admin.register(Attendance)
class AttendanceAdmin(_ReadOnly):
    list_display = (
        "session",
        "enrollment_id",
        "status",
        "method",
        "marked_by",
        "signed_at",
        "distance_m",
        "flagged",
    )
    list_filter = ("status", "method", "flagged")
    date_hierarchy = "signed_at"
    fields = readonly_fields = (
        "session",
        "enrollment",
        "status",
        "method",
        "marked_by",
        "signed_at",
        "distance_m",
        "flagged",
        "flag_reason",
        "note",
        "photo_link",
        "photo_sha256",
    )
    workflow_fields = ("status", "method", "marked_by")
    actions = [*ScopedAdmin.actions, "mark_present", "mark_absent", "mark_excused"]

    def get_queryset(self, request):
        return _by_enrollment(
            Attendance.objects.select_related("session__training_class", "status", "marked_by"), request.user
        )

    @admin.display(description=gettext_lazy("签到照片"))
    def photo_link(self, obj):
        if not obj.photo:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("training:attendance_photo", args=[obj.pk]), _("查看（权限核验）")
        )

    def _mark(self, request, queryset, code):
        done = 0
        for row in queryset.select_related("session", "enrollment"):
            try:
                services.teacher_mark(
                    session=row.session,
                    enrollment=row.enrollment,
                    status_code=code,
                    actor=request.user,
                    note=_("管理后台更正"),
                    request=request,
                )
                done += 1
            except DomainError as exc:
                messages.error(request, f"{row}: {exc.message}")
        if done:
            messages.success(request, _("已更正 %(n)s 条考勤。") % {"n": done})

    @admin.action(description=gettext_lazy("更正为出勤"), permissions=["change"])
    def mark_present(self, request, queryset):
        self._mark(request, queryset, "present")

    @admin.action(description=gettext_lazy("更正为缺勤"), permissions=["change"])
    def mark_absent(self, request, queryset):
        self._mark(request, queryset, "absent")

    @admin.action(description=gettext_lazy("更正为请假"), permissions=["change"])
    def mark_excused(self, request, queryset):
        self._mark(request, queryset, "excused")


@admin.register(SignInAttempt)
class SignInAttemptAdmin(_ReadOnly):
    list_display = ("session", "enrollment_id", "device_of", "reason", "attempted_at")
    date_hierarchy = "attempted_at"
    fields = readonly_fields = ("session", "enrollment", "device_of", "reason", "attempted_at")

    def get_queryset(self, request):
        return _by_enrollment(SignInAttempt.objects.select_related("session"), request.user)


@admin.register(TrainingResult)
class TrainingResultAdmin(_ReadOnly):
    list_display = ("enrollment", "hours_attended", "hours_required", "exam_score", "passed", "completed")
    list_filter = ("completed", "passed")
    fields = readonly_fields = (
        "enrollment",
        "hours_attended",
        "hours_required",
        "exam_score",
        "passed",
        "completed",
        "completed_on",
        "recorded_by",
        "recorded_at",
    )

    def get_queryset(self, request):
        return _by_enrollment(TrainingResult.objects.select_related("enrollment"), request.user)


@admin.register(TrainingCertificate)
class TrainingCertificateAdmin(_ReadOnly):
    list_display = ("number", "certificate_type", "level", "issuer", "issued_on", "profile_certificate")
    list_filter = ("certificate_type", "level")
    search_fields = ("number",)
    fields = readonly_fields = (
        "enrollment",
        "certificate_type",
        "level",
        "number",
        "issuer",
        "issued_on",
        "profile_certificate",
    )

    def get_queryset(self, request):
        return _by_enrollment(TrainingCertificate.objects.select_related("enrollment"), request.user)


if not admin.site.is_registered(AttendanceStatus):

    @admin.register(AttendanceStatus)
    class AttendanceStatusAdmin(ScopedAdmin):
        list_display = ("code", "name", "counts_hours", "late_after_minutes", "sort")

        def has_delete_permission(self, request, obj=None):
            return False  # marks point at them
