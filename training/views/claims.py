"""Training pages: subsidy claims. The worker (or a counter serving them) sees the calculator's answer for a
completed training and claims with one button; their claims and each claim's figures; an institution lists
its completions with their eligibility and claims on a trainee's behalf."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from jobs.views.counter import acting_worker

from .. import interface
from ..choices import ClaimStatus, EnrollmentStatus
from ..interface import verify_evidence
from ..models import Enrollment, TrainingClaim
from ..permissions import membership
from ..services import claims as claim_services
from ..services.eligibility import assess_enrollment, need_labels

INSTITUTION_PAGE = 50


def _completed_enrollment_of(worker, pk: int) -> Enrollment:
    enrollment = (
        Enrollment.objects.filter(pk=pk, worker=worker)
        .select_related("training_class__item__occupation", "training_class__institution", "worker")
        .first()
    )
    if enrollment is None:
        raise Http404
    return enrollment


def _explained(answer) -> dict:
    return {
        "answer": answer,
        "need_labels": need_labels(answer.needs),
        "refusals": [text for code, text in answer.reasons if code in answer.refused],
    }


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request, pk: int):
    """The calculator's answer for one completed training, and the button that claims and submits."""
    worker, assisted = acting_worker(request)
    enrollment = _completed_enrollment_of(worker, pk)
    existing = TrainingClaim.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return redirect("training:claim_detail", pk=existing.pk)
    error = None
    if request.method == "POST":
        try:
            claim = claim_services.claim_create_and_submit(
                enrollment=enrollment, actor=request.user, request=request
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("补贴申领已提交，金额 %(amount)s 元。") % {"amount": claim.amount})
            return redirect("training:claim_detail", pk=claim.pk)
    completed = enrollment.status == EnrollmentStatus.COMPLETED and hasattr(enrollment, "certificate")
    context = {"enrollment": enrollment, "completed": completed, "error": error, "assisted": assisted}
    if completed:
        context.update(_explained(assess_enrollment(enrollment)))
    return render(request, "training/claims/new.html", context, status=400 if error else 200)


@login_required
def my_claims(request):
    worker, assisted = acting_worker(request)
    claims = (
        TrainingClaim.objects.filter(enrollment__worker=worker)
        .select_related("enrollment__training_class__item", "enrollment__training_class__institution")
        .order_by("-created_at", "-id")
    )
    return render(request, "training/claims/list.html", {"claims": claims[:100], "assisted": assisted})


@login_required
def claim_detail(request, pk: int):
    """One claim: the figures in plain words, the rule versions, the evidence hash and whether it verifies.
    The person (or a counter for them), the institution's staff, and county staff in scope see it."""
    worker, _assisted = acting_worker(request)
    claims = TrainingClaim.objects.visible_to(request.user)
    if worker is not None and worker.pk != request.user.pk:
        claims = claims | TrainingClaim.objects.filter(enrollment__worker=worker)
    claim = (
        claims.select_related(
            "enrollment__training_class__item",
            "enrollment__training_class__institution",
            "enrollment__worker",
        )
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    reasons = claim.calculation.get("reasons", [])
    return render(
        request,
        "training/claims/detail.html",
        {
            "claim": claim,
            "review_status": interface.review_status(claim.pk),
            "reasons": reasons,
            "figures": claim.calculation,
            "verified": verify_evidence(claim),
            "events": claim.events.order_by("at", "id"),
            "may_withdraw": claim.status != ClaimStatus.WITHDRAWN
            and (claim.enrollment.worker_id == worker.pk or membership(request.user) is not None),
        },
    )


@login_required
@require_POST
def claim_withdraw(request, pk: int):
    worker, _assisted = acting_worker(request)
    claim = (
        (
            TrainingClaim.objects.visible_to(request.user)
            | TrainingClaim.objects.filter(enrollment__worker=worker)
        )
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    try:
        claim_services.claim_withdraw(claim=claim, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申领已撤回。"))
    return redirect("training:claim_detail", pk=claim.pk)


def _member_or_403(request):
    member = membership(request.user)
    if member is None:
        raise PermissionDenied
    return member


@login_required
def institution_claims(request):
    """The institution's completions (newest first) with each one's eligibility, and its claims."""
    member = _member_or_403(request)
    completions = (
        Enrollment.objects.filter(
            training_class__institution=member.institution,
            status=EnrollmentStatus.COMPLETED,
            claim__isnull=True,
        )
        .select_related(
            "training_class__item__occupation", "training_class__scope_unit", "worker", "certificate"
        )
        .order_by("-updated_at", "-id")[:INSTITUTION_PAGE]
    )
    rows = [
        {"enrollment": e, **_explained(assess_enrollment(e))}
        for e in completions
        if hasattr(e, "certificate")
    ]
    claims = (
        TrainingClaim.objects.filter(enrollment__training_class__institution=member.institution)
        .select_related("enrollment__training_class__item", "enrollment__worker")
        .order_by("-created_at", "-id")[:100]
    )
    return render(
        request,
        "training/claims/institution.html",
        {"institution": member.institution, "rows": rows, "claims": claims},
    )


@login_required
@require_POST
def institution_claim_create(request, pk: int):
    """Claim on a trainee's behalf (the institution's claim counts against the person too), and submit."""
    member = _member_or_403(request)
    enrollment = (
        Enrollment.objects.filter(pk=pk, training_class__institution=member.institution)
        .select_related("training_class__item__occupation", "training_class__institution", "worker")
        .first()
    )
    if enrollment is None:
        raise Http404
    try:
        claim = claim_services.claim_create_and_submit(
            enrollment=enrollment, actor=request.user, request=request
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training:institution_claims")
    messages.success(request, _("已代为申领并提交，金额 %(amount)s 元。") % {"amount": claim.amount})
    return redirect("training:claim_detail", pk=claim.pk)


urlpatterns: list = [
    path("enrollments/<int:pk>/claim/", claim_new, name="claim_new"),
    path("claims/", my_claims, name="my_claims"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/withdraw/", claim_withdraw, name="claim_withdraw"),
    path("institution/claims/", institution_claims, name="institution_claims"),
    path("institution/claims/<int:pk>/claim/", institution_claim_create, name="institution_claim_create"),
]
