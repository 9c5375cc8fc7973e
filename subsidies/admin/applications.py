"""Applications in the admin (ADR 0030): the review queues per level (county: submitted and in county review;
city: in city review; the public notice), the review steps as forms that call the services (the status and
every workflow field read-only), the objections raised during the notice with their handling step, and the
budgets per program, county and year with what is committed and what remains."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import EventInline, ScopedAdmin
from core.errors import DomainError

from ..choices import REVIEW_QUEUES, ApplicationStatus, ObjectionStatus
from ..forms import ObjectionHandleForm, ReviewForm
from ..models import Application, ApplicationEvent, ApplicationEvidence, Budget, Objection, ObjectionEvent
from ..permissions import can_city_review, can_handle_objection
from ..services import applications as services
from ..services import notice as notice_services
from ..services import training_claims as training_intake

S = ApplicationStatus


class QueueFilter(admin.SimpleListFilter):
    """The review queue: the county's (submitted, in county review) by default for county staff, the city's
    (in city review) for city staff, the notice, or everything."""

    title = gettext_lazy("审核队列")
    parameter_name = "queue"
    QUEUES = REVIEW_QUEUES

    def lookups(self, request, model_admin):
        return [
            ("county", gettext_lazy("县级待审")),
            ("city", gettext_lazy("市级待复核")),
            ("notice", gettext_lazy("公示中")),
            ("all", gettext_lazy("全部")),
        ]

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.default = "city" if can_city_review(request.user) else "county"

    def choices(self, changelist):
        current = self.value() or self.default
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default
        if value not in self.QUEUES:
            return queryset
        return queryset.filter(status__in=self.QUEUES[value])


class ApplicationEventInline(EventInline):
    model = ApplicationEvent


class EvidenceInline(admin.TabularInline):
    model = ApplicationEvidence
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "description", "size", "sha256", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    can_delete = False
    fields = readonly_fields = ("submitted_at", "text", "status", "handled_by", "handling_note")
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _buttons(links):
    return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)


def _apply_errors(form, exc: DomainError) -> None:
    for field, errors in (exc.fields or {None: [exc.message]}).items():
        for error in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(field if field in form.fields else None, str(error))


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    list_display = (
        "number",
        "person",
        "program_type",
        "scope_unit",
        "period_start",
        "amount_requested",
        "amount_approved",
        "status",
        "submitted_at",
    )
    list_filter = (QueueFilter, "program_type", "scope_unit", "status")
    list_select_related = ("person", "program_type", "scope_unit")
    search_fields = ("number",)
    ordering = ("submitted_at", "id")  # the oldest waits longest
    workflow_fields = ("status",)
    fields = (
        "number",
        "person",
        "program_type",
        "scope_unit",
        "period_start",
        "period_end",
        "status",
        "steps",
        "amount_requested",
        "amount_approved",
        "decision_pretty",
        "training_claim_pretty",
        "dedup_pretty",
        "statement",
        "assisted_by",
        "submitted_at",
        "county_reviewer",
        "county_reviewed_at",
        "city_reviewer",
        "city_reviewed_at",
        "notice_start",
        "notice_end",
        "approved_at",
        "return_reason",
        "reject_reason",
    )
    readonly_fields = fields
    inlines = [EvidenceInline, ObjectionInline, ApplicationEventInline]

    def has_add_permission(self, request):
        return False  # applications come from the worker's page, the counter and the API

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("测算依据"))
    def decision_pretty(self, obj):
        if not obj or not obj.decision_id:
            return "—"
        d = obj.decision
        reasons = format_html_join("", "<li>{}</li>", ((text,) for _code, text in d.reasons))
        return format_html(
            "{} · {} {} · {}<ul>{}</ul>",
            d.parameter_version or "—",
            _("测算金额"),
            d.amount if d.amount is not None else "—",
            {True: _("符合"), False: _("不符合"), None: _("待确定")}[d.eligible],
            reasons,
        )

    @admin.display(description=gettext_lazy("培训补贴申领"))
    def training_claim_pretty(self, obj):
        """The training claim the application was taken from, as ``training.interface`` summarises it."""
        summary = training_intake.claim_summary_of(obj) if obj else None
        if summary is None:
            return "—"
        calculation = summary["calculation"] or {}
        reasons = format_html_join(
            "", "<li>{}</li>", ((r[1],) for r in calculation.get("reasons", []) if len(r) == 2)
        )
        return format_html(
            "{} {}（{}） · {} · {} {} {} · {} {} · {} {} · {} <code>{}</code> {}<ul>{}</ul>",
            _("申领"),
            summary["claim_id"],
            summary["status_label"],
            summary["resident_id_masked"],
            summary["occupation"],
            summary["level"] or "",
            summary["certificate_type"] or "",
            _("测算金额"),
            summary["amount"],
            _("规则版本"),
            summary["rule_version"],
            _("材料校验值"),
            summary["evidence_sha256"][:16],
            _("（校验一致）") if summary["evidence_verified"] else _("（校验不一致）"),
            reasons,
        )

    @admin.display(description=gettext_lazy("防重复核查"))
    def dedup_pretty(self, obj):
        if not obj or not obj.dedup_reasons:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((r.get("text", ""),) for r in obj.dedup_reasons)),
        )

    @admin.display(description=gettext_lazy("审核"))
    def steps(self, obj):
        if not obj or not obj.pk:
            return "—"
        # the step pages and the services check who may act (403 for the county reviewer at the city level)
        links = []
        if obj.status in (S.SUBMITTED, S.COUNTY_REVIEW):
            links.append((reverse("admin:subsidies_application_county", args=[obj.pk]), _("县级审核")))
        if obj.status == S.CITY_REVIEW:
            links.append((reverse("admin:subsidies_application_city", args=[obj.pk]), _("市级复核")))
        return _buttons(links) if links else obj.get_status_display()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/county/", view(self.county_view), name="subsidies_application_county"),
            path("<int:pk>/city/", view(self.city_view), name="subsidies_application_city"),
            path("training-intake/", view(self.training_intake_view), name="subsidies_application_training"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_take_training": training_intake.may_take(request.user)}
        return super().changelist_view(request, extra_context)

    def training_intake_view(self, request):
        """The admin action: take the submitted training claims in the officer's scope now (POST), and
        report the ones not taken with their reasons."""
        if request.method != "POST":
            return redirect("admin:subsidies_application_changelist")
        try:
            report = training_intake.claims_intake(actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("admin:subsidies_application_changelist")
        messages.success(request, _("已受理培训补贴申领 %(count)s 件。") % {"count": report["taken"]})
        for row in report["not_taken"]:
            messages.warning(
                request,
                _("培训补贴申领 %(claim)s 未受理：%(text)s")
                % {"claim": row["claim_id"], "text": row["text"]},
            )
        return redirect(reverse("admin:subsidies_application_changelist") + "?program_type__code=training")

    def _application(self, request, pk) -> Application:
        app = self.get_queryset(request).select_related("person", "program_type", "scope_unit").filter(pk=pk)
        app = app.first()
        if app is None:
            raise Http404
        return app

    def _review(self, request, pk, run, title):
        app = self._application(request, pk)
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                run(
                    actor=request.user,
                    application=app,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data.get("reason") or "",
                    amount=form.cleaned_data.get("amount"),
                    request=request,
                )
            except DomainError as exc:
                if exc.status == 403:
                    messages.error(request, str(exc.message))
                    return redirect("admin:subsidies_application_change", app.pk)
                _apply_errors(form, exc)
            else:
                app.refresh_from_db()
                messages.success(
                    request, _("已提交审核结论：%(status)s。") % {"status": app.get_status_display()}
                )
                return redirect("admin:subsidies_application_change", app.pk)
        budget = services.budget_for(app)
        context = {
            **self.admin_site.each_context(request),
            "opts": Application._meta,
            "original": app,
            "form": form,
            "title": title,
            "budget": budget,
            "remaining": budget.remaining(exclude_pk=app.pk) if budget else None,
        }
        return render(
            request, "admin/subsidies/review_step.html", context, status=400 if form.errors else 200
        )

    def county_view(self, request, pk):
        return self._review(request, pk, services.application_county_review, _("县级审核"))

    def city_view(self, request, pk):
        return self._review(request, pk, services.application_city_review, _("市级复核"))


class ObjectionEventInline(EventInline):
    model = ObjectionEvent


@admin.register(Objection)
class ObjectionAdmin(ScopedAdmin):
    list_display = ("application", "submitted_at", "status", "anonymous", "handled_by")
    list_filter = ("status",)
    list_select_related = ("application", "handled_by")
    search_fields = ("application__number",)
    ordering = ("submitted_at", "id")
    workflow_fields = ("status",)
    fields = readonly_fields = (
        "application",
        "text",
        "anonymous",
        "submitted_at",
        "status",
        "steps",
        "handled_by",
        "handled_at",
        "handling_note",
    )
    inlines = [ObjectionEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("匿名"), boolean=True)
    def anonymous(self, obj):
        return obj.submitted_by_id is None

    @admin.display(description=gettext_lazy("处理"))
    def steps(self, obj):
        if not obj or obj.status != ObjectionStatus.OPEN:
            return obj.get_status_display() if obj else "—"
        return _buttons([(reverse("admin:subsidies_objection_handle", args=[obj.pk]), _("处理异议"))])

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/handle/", view(self.handle_view), name="subsidies_objection_handle"),
            *super().get_urls(),
        ]

    def handle_view(self, request, pk):
        objection = self.get_queryset(request).select_related("application").filter(pk=pk).first()
        if objection is None or not can_handle_objection(request.user, objection.application.scope_unit_id):
            raise Http404
        form = ObjectionHandleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                notice_services.objection_handle(
                    actor=request.user,
                    objection=objection,
                    uphold=form.cleaned_data["uphold"],
                    note=form.cleaned_data.get("note") or "",
                    request=request,
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("异议已处理。"))
                return redirect("admin:subsidies_objection_change", objection.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": Objection._meta,
            "original": objection,
            "form": form,
            "title": _("处理异议"),
        }
        return render(
            request, "admin/subsidies/objection_step.html", context, status=400 if form.errors else 200
        )


@admin.register(Budget)
class BudgetAdmin(ScopedAdmin):
    list_display = ("program_type", "scope_unit", "year", "amount", "committed_amount", "remaining_amount")
    list_filter = ("program_type", "scope_unit", "year")
    list_select_related = ("program_type", "scope_unit")
    fields = (
        "program_type",
        "scope_unit",
        "year",
        "amount",
        "notice",
        "committed_amount",
        "remaining_amount",
    )
    readonly_fields = ("committed_amount", "remaining_amount")

    def has_delete_permission(self, request, obj=None):
        return False  # what was approved was counted against it

    @admin.display(description=gettext_lazy("已占用（元）"))
    def committed_amount(self, obj):
        return obj.committed() if obj and obj.pk else "—"

    @admin.display(description=gettext_lazy("剩余（元）"))
    def remaining_amount(self, obj):
        return obj.remaining() if obj and obj.pk else "—"
