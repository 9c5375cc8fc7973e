"""The green channel in the admin (ADR 0025): on the case page, the evidence bundle (hash, frozen or not, a
link to its page) and the referrals with a link to the printable packet; an action that builds or rebuilds
the bundle; and the referral list where staff record the external case number and outcome (through
``referral_record_outcome``, audited). Everything else about a referral is read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin
from core.errors import DomainError

from .. import services
from ..models import EvidenceBundle, Referral


def _packet_link(referral) -> str:
    if not referral or not referral.pk:
        return "—"
    return format_html(
        '<a href="{}">{}</a>',
        reverse("disputes:referral_packet", args=[referral.case_id]),
        _("打开移送材料（可打印）"),
    )


class BundleInline(admin.StackedInline):
    model = EvidenceBundle
    extra = 0
    can_delete = False
    fields = ("built_at", "built_by", "sha256", "frozen_at", "page")
    readonly_fields = fields
    verbose_name = gettext_lazy("用工记录证据包")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("内容"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("disputes:bundle", args=[obj.case_id]), _("查看证据包")
        )


class ReferralInline(admin.TabularInline):
    model = Referral
    extra = 0
    can_delete = False
    fields = (
        "body",
        "referred_at",
        "packet_sha256",
        "external_case_number",
        "outcome_recorded_at",
        "packet_link",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("移送材料"))
    def packet_link(self, obj):
        return _packet_link(obj)


@admin.action(description=gettext_lazy("从用工记录生成证据包（移送前可重新生成）"), permissions=["change"])
def build_bundle(modeladmin, request, queryset):
    done = 0
    for case in queryset:
        try:
            services.bundle_build(case=case, actor=request.user, request=request)
            done += 1
        except DomainError as exc:
            messages.error(request, f"{case}: {exc.message}")
    if done:
        messages.success(request, _("已生成 %(n)s 个证据包。") % {"n": done})


@admin.register(Referral)
class ReferralAdmin(ScopedAdmin):
    list_display = ("case", "body", "referred_at", "external_case_number", "outcome_recorded_at")
    list_filter = ("body",)
    search_fields = ("case__number", "external_case_number")
    list_select_related = ("case",)
    fields = (
        "case",
        "body",
        "referred_at",
        "referred_by",
        "packet_sha256",
        "packet_link",
        "external_case_number",
        "external_outcome",
        "outcome_recorded_at",
        "outcome_recorded_by",
    )
    readonly_fields = (
        "case",
        "body",
        "referred_at",
        "referred_by",
        "packet_sha256",
        "packet_link",
        "outcome_recorded_at",
        "outcome_recorded_by",
    )

    def has_add_permission(self, request):
        return False  # a referral is made by referring the case

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("移送材料"))
    def packet_link(self, obj):
        return _packet_link(obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "external_case_number" in form.base_fields:
            form.base_fields["external_case_number"].required = True
        return form

    def save_model(self, request, obj, form, change):
        """The two outcome fields go through the service (scope, validation, audit); nothing else is saved."""
        if not change:
            raise PermissionDenied
        try:
            services.referral_record_outcome(
                referral=obj,
                actor=request.user,
                external_case_number=form.cleaned_data.get("external_case_number", ""),
                external_outcome=form.cleaned_data.get("external_outcome", ""),
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
