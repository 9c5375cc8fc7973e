"""Admin bases: scope in every queryset, personal data masked with an audited reveal, workflow fields
read-only, every change audited, CSV export masked."""

from __future__ import annotations

from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import audit_record, changed, snapshot
from .choices import AuditAction
from .errors import DomainError
from .exports import table_response
from .masking import mask, personal_fields
from .models import (
    AuditLog,
    CalendarDay,
    CountyWageTier,
    DeadTask,
    DeadTaskEvent,
    Division,
    MessageDelivery,
    MessageTemplate,
    MinimumWageTier,
    OutboxMessage,
    ScopeUnit,
)
from .scope import scope_of
from .services import (
    REVEAL_PERMISSION,
    dead_task_dismiss,
    dead_task_retry,
    may_look_up,
    personal_data_reveal,
    personal_kind,
    personal_lookup,
)

admin.site.site_header = gettext_lazy("零工市场服务平台 · 管理后台")
admin.site.site_title = gettext_lazy("零工市场管理后台")
admin.site.index_title = gettext_lazy("业务管理")


_can_reveal: ContextVar[bool] = ContextVar("lingong_admin_can_reveal", default=False)
# Search fields that hold a person's number (``=phone``, ``=user__id_number`` …).
PERSONAL_SEARCH_NAMES = frozenset({"phone", "id_number", "payee_account", "contact_phone"})


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("查看事由"),
        min_length=2,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("将记录查看人、时间、字段和事由。"),
    )


def export_as_csv(modeladmin, request, queryset):
    """Export the selected rows (the list columns, personal data masked) as CSV with a UTF-8 BOM."""
    columns = [c for c in modeladmin.get_list_display(request) if c != "action_checkbox"]
    headers, getters = [], []
    for col in columns:
        attr = getattr(modeladmin, col, None)
        if callable(attr):
            headers.append(str(getattr(attr, "short_description", col)))
            getters.append(attr)
        else:
            field = modeladmin.model._meta.get_field(col)
            headers.append(str(field.verbose_name))
            getters.append(modeladmin._export_getter(field))
    rows = [[g(obj) for g in getters] for obj in queryset]
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response = table_response(
        fmt="csv", filename=f"{modeladmin.model._meta.model_name}-{stamp}", headers=headers, rows=rows
    )
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        after={"model": modeladmin.model._meta.label, "rows": len(rows)},
        request=request,
    )
    return response


export_as_csv.short_description = gettext_lazy("导出所选（CSV，个人信息已脱敏）")
export_as_csv.allowed_permissions = ("view",)


class ScopedAdmin(admin.ModelAdmin):
    """Base for every admin of a scoped model.

    - the queryset is ``Model.objects.visible_to(user)``: an out-of-scope record behaves as if it did not
      exist (the admin's own "does not exist" redirect, no hint);
    - personal fields show masked, with a reveal button that asks why and writes an audit row;
    - ``workflow_fields`` are read-only: transitions are admin actions that call services;
    - every add, change and delete writes an audit row with before/after (masked).
    """

    workflow_fields: tuple[str, ...] = ()
    actions = [export_as_csv]
    list_per_page = 50

    # --- scope ---
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible = getattr(qs, "visible_to", None)
        return visible(request.user) if visible else qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is ScopeUnit:
            scope = scope_of(request.user)
            qs = ScopeUnit.objects.filter(is_active=True)
            kwargs["queryset"] = qs if scope.all else qs.filter(pk__in=scope.unit_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- searching: a whole number or ID is a lookup of a person (ADR 0014) ---
    def _personal_search_fields(self, request) -> list[str]:
        fields = super().get_search_fields(request)
        return [f for f in fields if f.lstrip("=^@").split("__")[-1] in PERSONAL_SEARCH_NAMES]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if getattr(request, "_lingong_personal_search", False):
            return fields
        return [f for f in fields if f not in self._personal_search_fields(request)]

    def get_search_results(self, request, queryset, search_term):
        """A whole mobile number or resident ID searches the personal fields only for staff who may reveal
        them, audited as a reveal and rate-limited; for anyone else those fields are not searched at all, so
        the answer does not depend on the number."""
        kind = personal_kind(search_term)
        if kind is None or not self._personal_search_fields(request) or not may_look_up(request.user):
            return super().get_search_results(request, queryset, search_term)
        request._lingong_personal_search = True
        try:
            results, duplicates = super().get_search_results(request, queryset, search_term)
        finally:
            request._lingong_personal_search = False
        personal_lookup(
            actor=request.user, kind=kind, value=search_term.strip(), found=results.exists(), request=request
        )
        return results, duplicates

    # --- personal data ---
    def _personal(self):
        return personal_fields(self.model)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.workflow_fields]
        if obj is not None:
            fields += [f"masked_{name}" for name in self._personal()]
        return fields

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if obj is not None:
            excluded += list(self._personal())
        return excluded

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None:
            return fields
        out = []
        for name in fields:
            if name in self._personal():
                continue
            if name.startswith("masked_"):
                continue
            out.append(name)
        # put the masked versions where the originals were declared (first, as they identify the person)
        return [f"masked_{n}" for n in self._personal()] + out

    def __getattr__(self, name):
        if name.startswith("masked_"):
            field = name[len("masked_") :]
            kinds = personal_fields(self.model)
            if field in kinds:
                return self._masked_display(field, kinds[field])
        raise AttributeError(name)

    def _masked_display(self, field, kind):
        def display(obj):
            value = mask(kind, getattr(obj, field))
            if not obj.pk or not _can_reveal.get():
                return value
            url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_reveal", args=[obj.pk, field])
            return format_html('{} <a class="button" href="{}">{}</a>', value, url, _("查看完整"))

        display.short_description = self.model._meta.get_field(field).verbose_name
        return display

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        token = _can_reveal.set(request.user.has_perm(REVEAL_PERMISSION))
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # The masked fields are displayed while the template renders: render before the flag resets.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response
        finally:
            _can_reveal.reset(token)

    def _export_getter(self, field):
        kinds = self._personal()
        if field.name in kinds:
            return lambda obj: mask(kinds[field.name], getattr(obj, field.name))
        if field.choices:
            return lambda obj: getattr(obj, f"get_{field.name}_display")()
        return lambda obj: "" if getattr(obj, field.name) is None else str(getattr(obj, field.name))

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = []
        if self._personal():
            urls.append(
                path(
                    "<path:object_id>/reveal/<str:field>/",
                    self.admin_site.admin_view(self.reveal_view),
                    name="%s_%s_reveal" % info,
                )
            )
        return urls + super().get_urls()

    def reveal_view(self, request, object_id, field):
        obj = self.get_queryset(request).filter(pk=object_id).first()
        if obj is None or field not in self._personal():
            raise Http404
        if not request.user.has_perm(REVEAL_PERMISSION):
            raise PermissionDenied
        value = None
        form = RevealForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                value = personal_data_reveal(
                    actor=request.user,
                    obj=obj,
                    field=field,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "field_label": self.model._meta.get_field(field).verbose_name,
            "masked": mask(self._personal()[field], getattr(obj, field)),
            "value": value,
            "form": form,
            "title": _("查看完整个人信息"),
        }
        return render(request, "admin/core/reveal.html", context)

    # --- audit ---
    def save_model(self, request, obj, form, change):
        scope = scope_of(request.user)
        unit_field = getattr(self.model, "scope_field", None)
        if unit_field == "scope_unit" and not scope.all and not scope.covers(obj.scope_unit_id):
            raise PermissionDenied
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        b, a = changed(before, after)
        if change and not a:
            return
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            before=b,
            after=a,
            request=request,
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user, action=AuditAction.DELETE, obj=obj, before=snapshot(obj), request=request
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(
                actor=request.user, action=AuditAction.DELETE, obj=obj, before=snapshot(obj), request=request
            )
        super().delete_queryset(request, queryset)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScopeUnit)
class ScopeUnitAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "division", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("division",)

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        scope = scope_of(request.user)
        return qs if scope.all else qs.filter(pk__in=scope.unit_ids)

    def save_model(self, request, obj, form, change):
        before = snapshot(ScopeUnit.objects.get(pk=obj.pk)) if change else None
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        b, a = changed(before, snapshot(obj))
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            before=b,
            after=a,
            request=request,
            scope_unit_id=obj.pk,
        )


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only for everyone, auditors included; rows leave only by the retention purge."""

    list_display = ("at", "actor_label", "action", "content_type", "object_repr", "scope_unit", "ip_address")
    list_filter = ("action", "content_type", "scope_unit")
    search_fields = ("object_repr", "object_id", "actor_label", "reason")
    date_hierarchy = "at"
    list_select_related = ("content_type", "scope_unit")
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def get_queryset(self, request):
        return AuditLog.objects.visible_to(request.user).select_related("content_type", "scope_unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MinimumWageTier)
class MinimumWageTierAdmin(ScopedAdmin):
    """A new provincial notice is new rows effective from its date (ADR 0010); past postings keep theirs."""

    list_display = ("tier", "monthly", "hourly", "effective_from", "notice")


@admin.register(CountyWageTier)
class CountyWageTierAdmin(ScopedAdmin):
    list_display = ("county_code", "tier", "effective_from")
    list_filter = ("tier",)


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdmin):
    """Holidays and make-up working days (a new year's State Council notice is entered here). Limits counted
    in working days read them (``core.calendar``)."""

    list_display = ("date", "is_working_day", "name", "source")
    list_filter = ("is_working_day",)
    search_fields = ("name", "source")
    date_hierarchy = "date"


class EventInline(admin.TabularInline):
    """A workflow's event rows under their subject, read-only (they are written by the transitions)."""

    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "from_status", "to_status", "reason", "actor", "on_behalf_of")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # nothing to show (and no formset to post) while the subject is being added; Django also asks
        # without ``obj`` when it builds the inline's queryset, so the add view is told by its URL name
        match = getattr(request, "resolver_match", None)
        adding = bool(match and (match.url_name or "").endswith("_add"))
        return not adding and super().has_view_permission(request, obj)


def admin_message_error(request, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


# --- delivery guarantees (ADR 0013): the outbox, message deliveries and dead tasks ----------------------------


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """A log that the relay and the workers write: staff read it, nobody edits it."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyLogAdmin):
    list_display = ("created_at", "task", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status", "task")
    search_fields = ("task", "idempotency_key")
    show_full_result_count = False


@admin.register(MessageDelivery)
class MessageDeliveryAdmin(ReadOnlyLogAdmin):
    """Who was told what and whether it arrived; numbers masked, SMS codes never shown."""

    list_display = (
        "created_at",
        "channel",
        "masked_recipient",
        "status",
        "attempts",
        "provider",
        "provider_receipt",
        "delivered_at",
        "last_error",
    )
    list_filter = ("status", "channel", "provider")
    search_fields = ("idempotency_key",)
    show_full_result_count = False

    @admin.display(description=gettext_lazy("接收方"))
    def masked_recipient(self, obj):
        return mask("phone", obj.recipient)

    def get_fields(self, request, obj=None):
        hidden = ("recipient", "body", "params")  # params hold what the body says (an SMS code)
        return [f for f in self.get_readonly_fields(request, obj) if f not in hidden] + [
            "masked_recipient",
            "shown_body",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_recipient", "shown_body"]

    @admin.display(description=gettext_lazy("内容"))
    def shown_body(self, obj):
        return _("（验证码短信，不显示）") if obj.sensitive else obj.body


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ScopedAdmin):
    """Our templates as each provider approved them (ADR 0017): city staff enter the provider's template id
    and sign name and tick "approved"; every edit is audited."""

    list_display = ("code", "provider", "template_id", "sign_name", "param_names", "approved", "active")
    list_filter = ("provider", "approved", "active")
    search_fields = ("code", "template_id", "note")


class DeadTaskEventInline(EventInline):
    model = DeadTaskEvent


@admin.register(DeadTask)
class DeadTaskAdmin(admin.ModelAdmin):
    """Tasks that failed for good. Retry runs one again through the outbox (``core.services.dead_task_retry``),
    dismiss closes it with a reason; both are audited event rows."""

    list_display = ("failed_at", "task", "exception", "retries", "status")
    list_filter = ("status", "task")
    search_fields = ("task", "task_id", "exception")
    inlines = [DeadTaskEventInline]
    actions = ["retry_selected", "dismiss_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in DeadTask._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The actions need "change" on the list; one row's page is read-only (its steps are the actions).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("重新执行所选任务"), permissions=["change"])
    def retry_selected(self, request, queryset):
        count = 0
        for row in queryset:
            try:
                dead_task_retry(dead_task=row, actor=request.user, request=request)
                count += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        if count:
            messages.success(request, _("已重新排队 %(n)s 个任务。") % {"n": count})

    @admin.action(description=gettext_lazy("忽略所选任务"), permissions=["change"])
    def dismiss_selected(self, request, queryset):
        count = 0
        for row in queryset:
            try:
                dead_task_dismiss(dead_task=row, actor=request.user, reason=_("管理员忽略"), request=request)
                count += 1
            except DomainError as exc:
                admin_message_error(request, exc)
        if count:
            messages.success(request, _("已忽略 %(n)s 个任务。") % {"n": count})
