"""Pages of rights protection: make a complaint (worker, employer), my complaints with their status and
deadlines in plain words, adding evidence, and the counter intake for staff. Mobile first, no JavaScript.
Evidence files are served only here, to whoever may see them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError
from core.scope import scope_of

from .. import selectors, services
from ..choices import Channel
from ..forms import ComplaintForm, CounterComplaintForm, EvidenceForm
from ..models import Case, Evidence
from ..permissions import can_complain, can_record, sees_complainant, sees_evidence
from .personal import complainant_panel
from .referral import green_channel_links


def _apply(form, exc: DomainError) -> None:
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for field, errors in exc.fields.items():
        for message in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(form.field_for(field), str(message))


@login_required
def my_complaints(request):
    cases = (
        Case.objects.filter(complainant=request.user)
        .prefetch_related("claims")
        .order_by("-received_at", "-id")[:100]
    )
    rows = [{"case": c, "state": selectors.deadline_state_of(c)} for c in cases]
    return render(
        request, "disputes/my_complaints.html", {"rows": rows, "may_complain": can_complain(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def complain(request):
    if not can_complain(request.user):
        raise PermissionDenied(_("请以劳动者或用工方身份登录后投诉。"))
    form = ComplaintForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"work_order": request.GET.get("work_order")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_receive(
                actor=request.user,
                channel=Channel.ONLINE,
                data=form.service_data(),
                claims=form.claims(),
                uploads=[form.cleaned_data.get("evidence")],
                request=request,
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("投诉已提交，编号 %(number)s。") % {"number": case.number})
            return redirect("disputes:detail", pk=case.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "disputes/complain.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    """A complaint as its complainant (or staff in scope, or an accepted case's respondent) reads it."""
    case = (
        selectors.case_list(user=request.user)
        .prefetch_related("claims", "clocks__extension", "events")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    show_evidence = sees_evidence(request.user, case)
    form = (
        EvidenceForm(request.POST or None, request.FILES or None) if show_evidence and case.is_open else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(
                case=case,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data.get("description", ""),
                request=request,
            )
        except DomainError as exc:
            form.add_error("file" if exc.fields else None, str(exc.message))
        else:
            messages.success(request, _("已补充证据材料。"))
            return redirect("disputes:detail", pk=case.pk)
    context = {
        "case": case,
        "state": selectors.deadline_state_of(case),
        "clocks": [c for c in case.clocks.all()],
        "claims": case.claims.all(),
        "events": case.events.all(),
        "evidence": case.evidence.all() if show_evidence else [],
        "show_complainant": sees_complainant(request.user, case),
        "complainant": complainant_panel(request.user, case),  # mobile and ID masked, reveal audited
        "form": form,
        "green_channel": green_channel_links(request.user, case),  # staff: the bundle and the packet
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "disputes/detail.html", context, status=status)


@login_required
def evidence_file(request, pk: int):
    """One evidence file, to the complainant or staff in scope; each view by staff is audited."""
    evidence = (
        Evidence.objects.select_related("case", "case__respondent")
        .filter(pk=pk, case__in=Case.objects.visible_to(request.user))
        .first()
    )
    if evidence is None or not sees_evidence(request.user, evidence.case):
        raise Http404
    case = evidence.case
    if case.complainant_id != request.user.pk:
        audit_record(
            actor=request.user,
            action=AuditAction.REVEAL,
            obj=case,
            after={"evidence": evidence.pk},
            reason=_("查看证据材料"),
            request=request,
        )
    content_type = "application/pdf" if evidence.kind == "pdf" else "image/jpeg"
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    extension = "pdf" if evidence.kind == "pdf" else "jpg"
    response["Content-Disposition"] = f'inline; filename="evidence-{evidence.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def counter_new(request):
    """Staff record a complaint made at the counter, by phone, transferred from 12345 or a platform clue."""
    if not can_record(request.user):
        raise Http404
    form = CounterComplaintForm(request.POST or None, request.FILES or None)
    scope = scope_of(request.user)
    if not scope.all:
        form.fields["scope_unit"].queryset = form.fields["scope_unit"].queryset.filter(pk__in=scope.unit_ids)
    form.fields["scope_unit"].empty_label = _("本单位")
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_receive(
                actor=request.user,
                channel=form.cleaned_data["channel"],
                data=form.service_data(),
                claims=form.claims(),
                uploads=[form.cleaned_data.get("evidence")],
                signature_scan=form.cleaned_data.get("signature_scan"),
                request=request,
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("已登记，编号 %(number)s，分派至%(queue)s。")
                % {"number": case.number, "queue": case.get_queue_display()},
            )
            return redirect("disputes:detail", pk=case.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "disputes/counter_new.html", {"form": form}, status=status)


urlpatterns = [
    path("", my_complaints, name="my_complaints"),
    path("new/", complain, name="complain"),
    path("<int:pk>/", detail, name="detail"),
    path("evidence/<int:pk>/", evidence_file, name="evidence"),
    path("counter/new/", counter_new, name="counter_new"),
]
