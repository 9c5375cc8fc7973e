"""Staff work on markets in the admin, scoped by county. Status is read-only; transitions and risk
decisions are forms that call the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin
from core.errors import DomainError
from core.geo import to_wgs84

from . import risk, services
from .choices import (
    MARKET_TRANSITIONS,
    RISK_DECISIONS,
    CoordinateSystem,
    MarketStatus,
    PlatformStatus,
    RiskAction,
)
from .models import (
    DirectorySnapshot,
    Facility,
    Inspection,
    InspectionEvent,
    InspectionFinding,
    InspectionItem,
    InspectionPhoto,
    Market,
    MarketEvent,
    MarketOperator,
    MarketPhoto,
    OnlinePlatform,
    PlatformEvent,
    PublicNotice,
    WebhookDelivery,
    WebhookSubscriber,
)
from .permissions import can_manage_market
from .publishing import map_changed


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("变更为"))
    reason = forms.CharField(
        label=gettext_lazy("原因"), min_length=2, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    alternative = forms.CharField(
        label=gettext_lazy("请工人前往（公告）"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("暂停、关闭、取缔时会在停市公告中公布。"),
    )
    alternative_market = forms.ModelChoiceField(
        label=gettext_lazy("替代市场"), queryset=Market.objects.none(), required=False
    )

    def __init__(self, *args, market: Market, user, **kwargs):
        super().__init__(*args, **kwargs)
        targets = MARKET_TRANSITIONS.get(market.status, ())
        self.fields["to_status"].choices = [(s.value, s.label) for s in MarketStatus if s in targets]
        self.fields["alternative_market"].queryset = (
            Market.objects.visible_to(user).public().exclude(pk=market.pk)
        )


class MarketAdminForm(forms.ModelForm):
    coordinate_system = forms.ChoiceField(
        label=gettext_lazy("坐标来源"),
        choices=CoordinateSystem.choices,
        initial=CoordinateSystem.WGS84,
        help_text=gettext_lazy("从高德、腾讯或百度地图取的坐标，保存时自动转换为 WGS-84。"),
    )

    class Meta:
        model = Market
        fields = (
            "name",
            "kind",
            "scope_unit",
            "town",
            "address",
            "lat",
            "lng",
            "transit",
            "operating_model",
            "operator_name",
            "operator_contact",
            "operator_contact_phone",
            "contract_start",
            "contract_end",
            "opens_at",
            "closes_at",
            "open_days",
            "capacity",
            "services",
            "hotline",
            "complaint_channel",
            "description",
            "facilities",
        )

    def clean(self):
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if lat is not None and lng is not None:
            data["lat"], data["lng"] = to_wgs84(
                lat, lng, data.get("coordinate_system") or CoordinateSystem.WGS84
            )
            self.instance.lat, self.instance.lng = data["lat"], data["lng"]
        return data


class MarketPhotoInline(admin.TabularInline):
    model = MarketPhoto
    extra = 0


class MarketOperatorInline(admin.TabularInline):
    model = MarketOperator
    extra = 0
    autocomplete_fields = ("user",)


class MarketEventInline(EventInline):
    model = MarketEvent


class InspectionEventInline(EventInline):
    model = InspectionEvent


@admin.register(Market)
class MarketAdmin(ScopedAdmin):
    list_display = (
        "name",
        "scope_unit",
        "kind",
        "status",
        "risk_grade",
        "operating_model",
        "hotline",
        "updated_at",
    )
    list_filter = ("status", "kind", "risk_grade", "operating_model", "scope_unit", "facilities")
    search_fields = ("name", "address", "operator_name")
    list_select_related = ("scope_unit",)
    workflow_fields = ("status", "risk_grade")
    filter_horizontal = ("facilities",)
    autocomplete_fields = ("town",)
    inlines = [MarketPhotoInline, MarketOperatorInline, MarketEventInline]
    form = MarketAdminForm
    readonly_fields = ("transition_link",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "status", "transition_link", "risk_grade", "scope_unit", "town")}),
        (gettext_lazy("位置"), {"fields": ("address", "coordinate_system", "lat", "lng", "transit")}),
        (
            gettext_lazy("运营"),
            {
                "fields": (
                    "operating_model",
                    "operator_name",
                    "operator_contact",
                    "operator_contact_phone",
                    "contract_start",
                    "contract_end",
                )
            },
        ),
        (
            gettext_lazy("开放与服务"),
            {
                "fields": (
                    "opens_at",
                    "closes_at",
                    "open_days",
                    "capacity",
                    "services",
                    "hotline",
                    "complaint_channel",
                    "description",
                    "facilities",
                )
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # personal data shows masked (with the reveal button) in place of the raw field
        out = []
        for title, opts in fieldsets:
            fields = [f"masked_{f}" if f in self._personal() else f for f in opts["fields"]]
            out.append((title, {**opts, "fields": fields}))
        return out

    @admin.display(description=gettext_lazy("状态变更"))
    def transition_link(self, obj):
        if not obj.pk or not MARKET_TRANSITIONS.get(obj.status):
            return "—"
        url = reverse("admin:markets_market_transition", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("变更状态（运营、暂停、关闭、取缔）"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="markets_market_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, pk):
        market = self.get_queryset(request).filter(pk=pk).first()
        if market is None:
            raise Http404
        if not can_manage_market(request.user, market):
            raise PermissionDenied
        form = TransitionForm(request.POST or None, market=market, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                services.market_transition(
                    market=market, actor=request.user, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("状态已变更，公开地图已更新。"))
                return redirect("admin:markets_market_change", market.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": Market._meta,
            "original": market,
            "form": form,
            "title": _("变更市场状态"),
        }
        return render(request, "admin/markets/transition.html", context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_public:
            map_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.is_public:
            map_changed()


class FindingInline(admin.TabularInline):
    model = InspectionFinding
    extra = 0
    autocomplete_fields = ()

    def get_extra(self, request, obj=None, **kwargs):
        return InspectionItem.objects.filter(is_active=True).count() if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is None:
            items = list(InspectionItem.objects.filter(is_active=True))

            class Prefilled(formset):
                def __init__(self, *args, **kw):
                    kw.setdefault("initial", [{"item": i.pk} for i in items])
                    super().__init__(*args, **kw)

                def save_new_objects(self, commit=True):
                    # A prefilled row left at 合格 is "unchanged", and formsets skip unchanged rows: record
                    # it as passed, so the inspection keeps a result for every item that was checked.
                    saved = super().save_new_objects(commit)
                    seen = {f.item_id for f in saved}
                    for form in self.extra_forms:
                        item = form.initial.get("item")
                        if not item or item in seen or form.has_changed() or self._should_delete_form(form):
                            continue
                        finding = InspectionFinding(inspection=self.instance, item_id=item)
                        if commit:
                            finding.save()
                        self.new_objects.append(finding)
                        seen.add(item)
                    return self.new_objects

            return Prefilled
        return formset


class InspectionPhotoInline(admin.TabularInline):
    model = InspectionPhoto
    extra = 0


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("处置"),
        choices=[(a.value, a.label) for a in RISK_DECISIONS],
        widget=forms.RadioSelect,
    )
    rectify_deadline = forms.DateField(
        label=gettext_lazy("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=gettext_lazy("原因"), min_length=2, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    alternative = forms.CharField(
        label=gettext_lazy("请工人前往（暂停或取缔时公告）"), max_length=300, required=False
    )


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    list_display = (
        "market",
        "inspected_on",
        "risk_grade",
        "action",
        "rectify_deadline",
        "rectified_at",
        "overdue_col",
    )
    list_filter = ("risk_grade", "action", "market__scope_unit")
    search_fields = ("market__name", "hazards")
    list_select_related = ("market", "market__scope_unit")
    autocomplete_fields = ("market",)
    workflow_fields = ("risk_grade", "action", "action_reason", "rectify_deadline", "rectified_at")
    readonly_fields = ("inspector", "risk_rules", "decision_link")
    fields = (
        "market",
        "inspected_on",
        "inspector",
        "inspector_names",
        "hazards",
        "notes",
        "risk_rules",
        "risk_grade",
        "decision_link",
        "action",
        "action_reason",
        "rectify_deadline",
        "rectified_at",
    )
    inlines = [FindingInline, InspectionPhotoInline, InspectionEventInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "market":
            kwargs["queryset"] = Market.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("逾期"), boolean=True)
    def overdue_col(self, obj):
        return obj.is_overdue

    @admin.display(description=gettext_lazy("风险判定规则"))
    def risk_rules(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li><strong>{}</strong>：{}</li>", ((g.label, str(text)) for g, text in risk.RULES)
            ),
        )

    @admin.display(description=gettext_lazy("处置"))
    def decision_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        if obj.needs_action:
            url = reverse("admin:markets_inspection_decide", args=[obj.pk])
            return format_html(
                '<strong style="color:#ba2121">{}</strong> <a class="button" href="{}">{}</a>',
                _("高风险，须处置"),
                url,
                _("处置"),
            )
        if obj.action == RiskAction.RECTIFY and not obj.rectified_at:
            url = reverse("admin:markets_inspection_rectified", args=[obj.pk])
            return format_html('<a class="button" href="{}">{}</a>', url, _("确认整改完成"))
        return obj.get_action_display() or "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.inspector = request.user
        if not Market.objects.visible_to(request.user).filter(pk=obj.market_id).exists():
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        inspection = services.inspection_assess(inspection=form.instance, actor=request.user, request=request)
        if services.risk_requires_action(inspection):
            messages.warning(request, _("该检查判定为高风险，请立即处置：限期整改、暂停或取缔。"))

    def response_add(self, request, obj, post_url_continue=None):
        obj.refresh_from_db()
        if obj.needs_action:
            return redirect("admin:markets_inspection_decide", obj.pk)
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="markets_inspection_decide",
            ),
            path(
                "<int:pk>/rectified/",
                self.admin_site.admin_view(self.rectified_view),
                name="markets_inspection_rectified",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        inspection = self.get_queryset(request).filter(pk=pk).first()
        if inspection is None:
            raise Http404
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.inspection_decide(
                    inspection=inspection, actor=request.user, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                for field, errors in (exc.fields or {None: [exc.message]}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, str(error))
            else:
                messages.success(request, _("已处置。"))
                return redirect("admin:markets_inspection_change", inspection.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": Inspection._meta,
            "original": inspection,
            "form": form,
            "title": _("处置高风险市场"),
            "rules": risk.RULES,
        }
        return render(request, "admin/markets/decide.html", context)

    def rectified_view(self, request, pk):
        inspection = self.get_queryset(request).filter(pk=pk).first()
        if inspection is None:
            raise Http404
        if request.method == "POST":
            try:
                services.inspection_mark_rectified(inspection=inspection, actor=request.user, request=request)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("已确认整改完成。"))
        return redirect("admin:markets_inspection_change", inspection.pk)


@admin.register(OnlinePlatform)
class OnlinePlatformAdmin(ScopedAdmin):
    list_display = (
        "name",
        "kind",
        "operator_name",
        "scope_unit",
        "status",
        "offers_matching",
        "offers_payment",
    )
    list_filter = ("status", "kind", "scope_unit")
    search_fields = ("name", "operator_name")
    workflow_fields = ("status",)
    actions = [*ScopedAdmin.actions, "approve", "reject", "suspend"]

    def _transition(self, request, queryset, to_status):
        done = 0
        for platform in queryset:
            try:
                services.platform_transition(
                    platform=platform, to_status=to_status, actor=request.user, request=request
                )
                done += 1
            except DomainError as exc:
                messages.error(request, f"{platform}: {exc.message}")
        if done:
            messages.success(request, _("已处理 %(n)s 个平台。") % {"n": done})

    @admin.action(description=gettext_lazy("审核通过（纳入公共就业服务）"), permissions=["change"])
    def approve(self, request, queryset):
        self._transition(request, queryset, "approved")

    @admin.action(description=gettext_lazy("审核不通过"), permissions=["change"])
    def reject(self, request, queryset):
        self._transition(request, queryset, "rejected")

    @admin.action(description=gettext_lazy("暂停"), permissions=["change"])
    def suspend(self, request, queryset):
        self._transition(request, queryset, "suspended")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.status == PlatformStatus.APPROVED:
            map_changed()


@admin.register(PublicNotice)
class PublicNoticeAdmin(ScopedAdmin):
    list_display = ("title", "kind", "scope_unit", "market", "starts_on", "ends_on")
    list_filter = ("kind", "scope_unit")
    search_fields = ("title", "reason")
    autocomplete_fields = ("market", "alternative_market")
    exclude = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    list_display = ("name", "code", "is_standard", "sort", "is_active")
    list_editable = ("sort", "is_active")


@admin.register(InspectionItem)
class InspectionItemAdmin(ScopedAdmin):
    list_display = ("name", "code", "critical", "sort", "is_active")
    list_editable = ("sort", "is_active")
    search_fields = ("name",)


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(ScopedAdmin):
    list_display = ("name", "url", "is_active")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only."""

    list_display = (
        "created_at",
        "subscriber",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "subscriber")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlatformEvent)
class PlatformEventAdmin(admin.ModelAdmin):
    list_display = ("at", "platform", "from_status", "to_status", "actor")
    readonly_fields = [f.name for f in PlatformEvent._meta.fields]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(platform__in=OnlinePlatform.objects.visible_to(request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DirectorySnapshot)
class DirectorySnapshotAdmin(admin.ModelAdmin):
    """The published quarterly directories: read-only (the daily task writes the current quarter's)."""

    list_display = ("quarter", "market_count", "platform_count", "first_published_at", "published_at")
    readonly_fields = [f.name for f in DirectorySnapshot._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
