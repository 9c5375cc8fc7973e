"""Staff pages of the green channel (ADR 0025): a case's evidence bundle drawn from the work record (build or,
before referral, rebuild it), and the printable referral packet of a referred case with the form that records
the body's case number and outcome. Staff of the case's county only: the complainant and the respondent see
the case but not these pages (403), anybody else gets 404. No JavaScript; print CSS hides the forms."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from jobs.choices import WageUnit
from work.choices import CheckMethod, PaymentStatus, WorkOrderStatus

from .. import services
from ..choices import ClaimType, ClockKind, EvidenceKind, ReferralBody
from ..models import Case, EvidenceBundle
from ..permissions import can_handle, sees_green_channel
from ..services.bundle import bundle_can_build
from .personal import complainant_panel


class ReferralOutcomeForm(forms.Form):
    external_case_number = forms.CharField(label=gettext_lazy("对方案件编号"), max_length=60)
    external_outcome = forms.CharField(
        label=gettext_lazy("对方处理结果"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _case_for_staff(request, pk: int) -> Case:
    case = (
        Case.objects.visible_to(request.user).select_related("scope_unit", "respondent").filter(pk=pk).first()
    )
    if case is None:
        raise Http404
    if not sees_green_channel(request.user, case):
        raise PermissionDenied
    return case


def green_channel_links(user, case) -> dict | None:
    """What the case page links to for staff of its county (None for anyone else)."""
    if not sees_green_channel(user, case):
        return None
    return {"referred": case.referrals.exists()}


def _when(value: str | None) -> str:
    """An ISO time of the bundle as the page shows it (Asia/Shanghai, to the minute)."""
    if not value:
        return "—"
    try:
        return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _label(choices, value) -> str:
    """A stored code as its label (the code itself when a later release renamed or dropped it)."""
    return str(choices(value).label) if value in choices.values else (value or "")


def _postings(content: dict | None) -> list[dict]:
    return [
        {
            **p,
            "wage_amount": p["wage_amount"].rstrip("0").rstrip(".") if p["wage_amount"] else "",
            "wage_unit": _label(WageUnit, p["wage_unit"]),
        }
        for p in (content or {}).get("postings", [])
    ]


def _order_rows(content: dict | None) -> list[dict]:
    rows = []
    for o in (content or {}).get("work_orders", []):
        rows.append(
            {
                "id": o["id"],
                "work_date": o["work_date"],
                "status": _label(WorkOrderStatus, o["status"]),
                "check_in": _when(o["check_in"]["at"]),
                "check_in_method": _label(CheckMethod, o["check_in"]["method"]),
                "distance_m": o["check_in"]["distance_m"],
                "check_out": _when(o["check_out"]["at"]),
                "check_out_method": _label(CheckMethod, o["check_out"]["method"]),
                "hours": o["hours_worked"],
                "corrections": [
                    f"{c['hours_before']} → {c['hours_after']}（{c['reason']}）"
                    for c in o["hours_corrections"]
                ],
                "approved": _when(o["approval"]["approved_at"]),
                "auto_approved": o["approval"]["auto_approved"],
                "amount": o["amount"],
                "payments": [
                    f"¥{p['amount']} {_label(PaymentStatus, p['status'])} {_when(p['succeeded_at'])}"
                    + (f" · {p['provider_ref']}" if p["provider_ref"] else "")
                    for p in o["payments"]
                ],
                "messages": len(o["messages"]),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def bundle_page(request, pk: int):
    """The case's evidence bundle: what it holds, its hash, whether it is frozen; build or rebuild (POST)."""
    case = _case_for_staff(request, pk)
    if request.method == "POST":
        try:
            services.bundle_build(case=case, actor=request.user, request=request)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已从用工记录生成证据包。"))
        return redirect("disputes:bundle", pk=case.pk)
    bundle = EvidenceBundle.objects.filter(case=case).first()
    context = {
        "case": case,
        "bundle": bundle,
        "verified": services.bundle_verify(bundle) if bundle else None,
        "rows": _order_rows(bundle.content if bundle else None),
        "postings": _postings(bundle.content if bundle else None),
        "may_build": can_handle(request.user, case)
        and bundle_can_build(case)
        and not (bundle and bundle.is_frozen),
        "referral": case.referrals.order_by("-referred_at").first(),
    }
    return render(request, "disputes/referral_bundle.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def packet_page(request, pk: int):
    """The printable referral packet of a referred case, as stored when it was sent, and what came back."""
    case = _case_for_staff(request, pk)
    referral = case.referrals.select_related("outcome_recorded_by").order_by("-referred_at").first()
    if referral is None:
        raise Http404
    may_record = can_handle(request.user, case)
    form = ReferralOutcomeForm(
        request.POST or None,
        initial={
            "external_case_number": referral.external_case_number,
            "external_outcome": referral.external_outcome,
        },
    )
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.referral_record_outcome(
                    referral=referral, actor=request.user, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                for field, errors in (exc.fields or {None: [exc.message]}).items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, str(message))
            else:
                messages.success(request, _("已登记移送结果。"))
                return redirect("disputes:referral_packet", pk=case.pk)
    packet = referral.packet
    bundle = packet.get("evidence_bundle")
    context = {
        "case": case,
        "referral": referral,
        "packet": packet,
        "verified": services.referral_verify(referral),
        "bundle": bundle,
        "rows": _order_rows(bundle["content"] if bundle else None),
        "postings": _postings(bundle["content"] if bundle else None),
        "frozen_at": _when(bundle["frozen_at"]) if bundle else "",
        "clocks": [
            {
                **c,
                "label": _label(ClockKind, c["kind"]),
                "started": _when(c["started_at"]),
                "stopped": _when(c["stopped_at"]),
            }
            for c in packet["clocks"]
        ],
        # labels in the reader's language (the stored packet keeps the codes and the labels of the day)
        "body_label": _label(ReferralBody, packet["body"]),
        "claims": [{**c, "label": _label(ClaimType, c["claim_type"])} for c in packet["claims"]],
        "evidence": [
            {**e, "uploaded": _when(e["uploaded_at"]), "kind": _label(EvidenceKind, e["kind"])}
            for e in packet["evidence"]
        ],
        "referred_at": _when(packet["referred_at"]),
        "complainant": complainant_panel(request.user, case),  # as the case page: mobile and ID masked
        "form": form if may_record else None,
    }
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "disputes/referral_packet.html", context, status=status)


urlpatterns = [
    path("<int:pk>/bundle/", bundle_page, name="bundle"),
    path("<int:pk>/referral/", packet_page, name="referral_packet"),
]
