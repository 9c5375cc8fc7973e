from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ScopedAdmin, admin_message_error
from core.errors import DomainError
from core.models import ScopeUnit

from . import services
from .models import (
    ApiClient,
    Consent,
    CounterAccount,
    Organization,
    PrivacyNotice,
    RoleGrant,
    User,
    WeChatBinding,
)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "scope_unit", "granted_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ScopedAdmin):
    list_display = (
        "masked_phone_col",
        "real_name",
        "roles_col",
        "scope_unit",
        "id_review_flag",
        "is_active",
        "date_joined",
    )
    list_filter = ("scope_unit", "role_grants__role", "id_review_flag", "is_active", "is_staff")
    search_fields = ("=phone", "real_name", "=id_number")
    list_select_related = ("scope_unit",)
    ordering = ("-date_joined",)
    inlines = [RoleGrantInline]
    readonly_fields = (
        "birth_date",
        "gender",
        "real_name_verified_at",
        "phone_verified_at",
        "date_joined",
        "last_login",
        "anonymized_at",
        "is_staff",
        "is_superuser",
    )
    fields = (
        "phone",
        "id_number",
        "real_name",
        "scope_unit",
        "id_review_flag",
        "birth_date",
        "gender",
        "real_name_verified_at",
        "phone_verified_at",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
        "anonymized_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_grants")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.phone and "phone" not in fields:
            # a counter-managed worker gets a login number only SMS-confirmed (counter_account_upgrade)
            fields += ("phone",)
        return fields

    @admin.display(description=gettext_lazy("手机号码"), ordering="phone")
    def masked_phone_col(self, obj):
        return obj.masked_phone or _("（服务台代管，无手机号）")

    @admin.display(description=gettext_lazy("角色"))
    def roles_col(self, obj):
        return "、".join(str(g.get_role_display()) for g in obj.role_grants.all())

    def has_add_permission(self, request):
        # People register themselves (or at a counter through the pages); staff accounts by city staff.
        return request.user.is_superuser or request.user.has_perm("accounts.add_user")

    def has_delete_permission(self, request, obj=None):
        return False  # deletion is anonymization, at the person's request

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    list_display = ("user", "role", "scope_unit", "granted_by", "created_at")
    list_filter = ("role", "scope_unit")
    search_fields = ("=user__phone", "user__real_name")
    autocomplete_fields = ("user",)
    fields = ("user", "role", "scope_unit")
    list_select_related = ("user", "scope_unit", "granted_by")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.role_grant(
                actor=request.user, user=obj.user, role=obj.role, scope_unit=obj.scope_unit, request=request
            )
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, grant=obj, request=request)

    def delete_queryset(self, request, queryset):
        for grant in queryset:
            services.role_revoke(actor=request.user, grant=grant, request=request)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    list_display = ("name", "uscc", "uscc_review_flag", "contact_name", "scope_unit", "created_at")
    list_filter = ("scope_unit", "uscc_review_flag")
    search_fields = ("name", "=uscc")
    readonly_fields = ("owner", "uscc")
    list_select_related = ("scope_unit",)

    def has_add_permission(self, request):
        return False


CITY_WIDE = "city"


class ApiClientForm(forms.ModelForm):
    """Issuing a token: a county's system is bound to its unit; the city's own system gets "全市" (stored as
    no unit). The choice is explicit: an untouched form is an error, never a city-wide token by accident."""

    scope_unit = forms.ChoiceField(
        label=gettext_lazy("管辖单位"), help_text=gettext_lazy("选择“全市”签发可读取全市各单位数据的令牌。")
    )
    days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1, max_value=730, initial=365)

    class Meta:
        model = ApiClient
        fields = ("name", "scope_unit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = ScopeUnit.objects.filter(is_active=True).order_by("code")
        self.fields["scope_unit"].choices = [
            ("", "---------"),
            (CITY_WIDE, _("全市")),
            *((str(unit.pk), str(unit)) for unit in units),
        ]

    def clean_scope_unit(self):
        value = self.cleaned_data["scope_unit"]
        if value == CITY_WIDE:
            return None
        unit = ScopeUnit.objects.filter(is_active=True, pk=value).first()
        if unit is None:
            raise forms.ValidationError(_("请选择有效的管辖单位。"))
        return unit


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAdmin):
    list_display = ("name", "scope_display", "token_prefix", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("scope_unit",)
    list_select_related = ("scope_unit",)
    readonly_fields = ("token_prefix", "expires_at", "revoked_at", "revoked_by", "created_by", "last_used_at")
    actions = [*ScopedAdmin.actions, "revoke_selected"]
    form = ApiClientForm

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = ("name",)
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "scope_unit", "days")
        return ("name", "scope_display", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "scope_display") if obj else ()

    @admin.display(description=gettext_lazy("管辖单位"), ordering="scope_unit__code")
    def scope_display(self, obj) -> str:
        return str(obj.scope_unit) if obj.scope_unit_id else _("全市")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            client, raw = services.api_client_issue(
                actor=request.user,
                name=form.cleaned_data["name"],
                scope_unit=form.cleaned_data["scope_unit"],
                days=form.cleaned_data["days"],
                request=request,
            )
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        obj.pk = client.pk
        obj._state.adding = False
        messages.warning(
            request, _("令牌只显示这一次，请立即复制并安全交给对接系统：%(token)s") % {"token": raw}
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("吊销所选令牌"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        for client in queryset:
            services.api_client_revoke(actor=request.user, client=client, request=request)
        messages.success(request, _("已吊销。"))


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "published_at")

    def get_readonly_fields(self, request, obj=None):
        # A published version is immutable: people consented to that text.
        return ("version", "title", "body", "published_at") if obj else ()


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    list_display = ("user", "notice", "accepted_at", "scan_link")
    list_select_related = ("user", "notice")
    readonly_fields = ("user", "notice", "accepted_at", "ip_address", "recorded_by", "scan_link")
    exclude = ("paper_scan",)  # a private file: shown only through the checked, audited view

    @admin.display(description=gettext_lazy("签字告知书"))
    def scan_link(self, obj):
        if not obj.paper_scan:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("accounts:consent_scan", args=[obj.pk]), _("查看扫描件")
        )

    def get_queryset(self, request):
        users = User.objects.visible_to(request.user)
        return Consent.objects.filter(user__in=users).select_related("user", "notice")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WeChatBinding)
class WeChatBindingAdmin(admin.ModelAdmin):
    """Who has bound WeChat (ADR 0017). Staff may only unbind (through the service: audited, the messages
    still waiting for that WeChat cancelled); people bind themselves from their profile."""

    list_display = ("user", "shown_openid", "bound_at")
    fields = readonly_fields = ("user", "shown_openid", "app_id", "bound_at")
    search_fields = ("user__real_name",)

    @admin.display(description=gettext_lazy("OpenID"))
    def shown_openid(self, obj):
        return f"{obj.openid[:4]}…{obj.openid[-4:]}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.wechat_unbind(user=obj.user, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("user"):
            services.wechat_unbind(user=obj.user, actor=request.user, request=request)


@admin.register(CounterAccount)
class CounterAccountAdmin(ScopedAdmin):
    """Counter-managed accounts (ADR 0019): read here; opened, served and upgraded at the counter pages."""

    list_display = ("user", "card_tail", "created_by", "created_at", "upgraded_at")
    list_filter = ("user__scope_unit",)
    list_select_related = ("user", "created_by")
    search_fields = ("user__real_name",)
    fields = (
        "user",
        "card_tail",
        "created_by",
        "id_checked_at",
        "relative_phone",
        "relative_relation",
        "card_issued_at",
        "upgraded_at",
        "upgraded_by",
    )
    readonly_fields = (
        "user",
        "card_tail",
        "created_by",
        "id_checked_at",
        "card_issued_at",
        "upgraded_at",
        "upgraded_by",
    )

    actions = [*ScopedAdmin.actions, "reissue_card"]

    @admin.display(description=gettext_lazy("服务卡尾号"))
    def card_tail(self, obj):
        return "*****" + obj.card_number[-4:]

    @admin.action(description=gettext_lazy("补办服务卡（原卡作废）"), permissions=["change"])
    def reissue_card(self, request, queryset):
        for account in queryset:  # already scoped by get_queryset
            try:
                account = services.counter_card_reissue(account=account, actor=request.user, request=request)
            except DomainError as exc:
                admin_message_error(request, exc)
            else:
                url = reverse("accounts:counter_card", args=[account.pk])
                self.message_user(
                    request,
                    format_html('{} <a href="{}">{}</a>', _("已补办服务卡。"), url, _("打印新卡")),
                    messages.SUCCESS,
                )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
