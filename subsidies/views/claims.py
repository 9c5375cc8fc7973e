"""The employer's insured-list claims (ADR 0037): a platform or domestic-service agency uploads its insured
list for a month (or tries it: a dry run) and reads the per-row and per-person report. Reached from the
employer home (我要招人). Another employer's claim is 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from core.errors import DomainError, NotPermitted

from ..choices import CLAIM_PERSON_OUTCOMES, ClaimRowOutcome
from ..forms import InsuredListForm
from ..models import InsuredListClaim
from ..services import accident_claims as services
from .applications import _form_errors


def _employer(request):
    try:
        return services.claiming_employer(request.user)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from None


@login_required
def claims(request):
    """The employer's claims, newest first, and the upload form."""
    employer = _employer(request)
    form = InsuredListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_upload(
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                month=form.cleaned_data["month"],
                payer_kind=form.cleaned_data["payer_kind"],
                dry_run=form.cleaned_data["dry_run"],
                request=request,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect("subsidies:accident_claim", claim.pk)
    rows = InsuredListClaim.objects.filter(employer=employer).order_by("-created_at", "-id")[:50]
    return render(request, "subsidies/claims.html", {"form": form, "rows": rows, "employer": employer})


@login_required
def claim(request, pk: int):
    """One claim's report: the counts, each row's outcome, each person's amount and application."""
    employer = _employer(request)
    row = get_object_or_404(InsuredListClaim, pk=pk, employer=employer)
    outcomes = dict(ClaimRowOutcome.choices)
    report = [{**e, "label": outcomes.get(e.get("outcome"), e.get("outcome"))} for e in row.report]
    people = [
        {**p, "label": CLAIM_PERSON_OUTCOMES.get(p.get("outcome"), p.get("outcome"))} for p in row.people
    ]
    return render(request, "subsidies/claim.html", {"claim": row, "report": report, "people": people})


urlpatterns = [
    path("employer/accident-claims/", claims, name="accident_claims"),
    path("employer/accident-claims/<int:pk>/", claim, name="accident_claim"),
]
