"""Bureau staff publish policies in the admin (scoped by county; city-wide policies are city staff's).
Questions are answered on the counter pages, which show them in their county only; the admin lists them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin
from core.errors import DomainError

from . import services
from .models import (
    BookingEvent,
    GuidanceBooking,
    GuidanceSlot,
    PolicyArticle,
    PolicyArticleEvent,
    PolicyAttachment,
    Question,
    QuestionEvent,
)


class AttachmentInline(admin.TabularInline):
    model = PolicyAttachment
    extra = 1
    fields = ("title", "file")


class ArticleEventInline(EventInline):
    model = PolicyArticleEvent


@admin.register(PolicyArticle)
class PolicyArticleAdmin(ScopedAdmin):
    list_display = ("title", "category", "doc_number", "effective_from", "expires_on", "scope_unit", "status")
    list_filter = ("status", "category", "scope_unit")
    search_fields = ("title", "doc_number", "issuer")
    date_hierarchy = "effective_from"
    workflow_fields = ("status", "published_at")
    readonly_fields = ("status", "published_at")
    inlines = [AttachmentInline, ArticleEventInline]
    actions = [*ScopedAdmin.actions, "publish", "withdraw"]

    def _each(self, request, queryset, step):
        done = 0
        for article in queryset:
            try:
                step(article=article, actor=request.user, request=request)
                done += 1
            except DomainError as exc:
                messages.error(request, f"{article}: {exc.message}")
        if done:
            messages.success(request, _("已处理 %(n)s 篇。") % {"n": done})

    @admin.action(description=gettext_lazy("发布"), permissions=["change"])
    def publish(self, request, queryset):
        self._each(request, queryset, services.article_publish)

    @admin.action(description=gettext_lazy("撤回"), permissions=["change"])
    def withdraw(self, request, queryset):
        self._each(request, queryset, services.article_withdraw)


class QuestionEventInline(EventInline):
    model = QuestionEvent


@admin.register(Question)
class QuestionAdmin(ScopedAdmin):
    list_display = (
        "title",
        "category",
        "channel",
        "scope_unit",
        "status",
        "asked_at",
        "due_on",
        "faq_published",
    )
    list_filter = ("status", "channel", "category", "faq_published", "scope_unit")
    search_fields = ("title",)
    date_hierarchy = "asked_at"
    workflow_fields = ("status",)
    readonly_fields = [
        f.name for f in Question._meta.fields if f.name not in ("faq_question", "faq_answer", "faq_published")
    ]
    inlines = [QuestionEventInline]

    def has_add_permission(self, request):
        return False  # questions come from the pages (online, counter, hotline) with their deadlines


@admin.register(GuidanceSlot)
class GuidanceSlotAdmin(ScopedAdmin):
    list_display = ("market", "starts_at", "ends_at", "capacity", "counsellor", "is_open")
    list_filter = ("is_open", "market__scope_unit")
    date_hierarchy = "starts_at"
    autocomplete_fields = ()


class BookingEventInline(EventInline):
    model = BookingEvent


@admin.register(GuidanceBooking)
class GuidanceBookingAdmin(ScopedAdmin):
    list_display = ("slot", "status", "assisted", "created_at")
    list_filter = ("status", "assisted")
    workflow_fields = ("status",)
    readonly_fields = [f.name for f in GuidanceBooking._meta.fields]
    inlines = [BookingEventInline]

    def has_add_permission(self, request):
        return False
