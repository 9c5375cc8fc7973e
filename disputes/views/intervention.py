"""Pages of timely intervention: the respondent's side (complaints about me, one case as the respondent may
read it — never the complainant's identity when withheld, never the facts or the mediation notes —, the
answer form and the payment of an agreement) and the complainant's steps (confirm receipt, rate the
handling; shown on the case page by the ``intervention_panel`` tag). Mobile first, no JavaScript."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import apply_domain_error
from work.choices import PaymentStatus

from .. import selectors, services
from ..choices import ANSWERABLE_STATUSES, RESPONDENT_STATUSES, AnswerPosition, MediationOutcome
from ..models import Case, MediationRecord

# --- forms --------------------------------------------------------------------------------------------------------


class AnswerForm(forms.Form):
    """The respondent's answer: their account, and per claim line accept / dispute / partly (an amount)."""

    account = forms.CharField(
        label=gettext_lazy("您的陈述（事实经过、对方诉求是否属实）"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    file = forms.FileField(label=gettext_lazy("答复材料（照片或 PDF，可不传）"), required=False)

    def __init__(self, *args, claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.claim_rows = list(claims)
        for claim in self.claim_rows:
            self.fields[f"claim{claim.pk}_position"] = forms.ChoiceField(
                label=_("%(type)s ¥%(amount)s：您的意见")
                % {"type": claim.get_claim_type_display(), "amount": claim.amount},
                choices=AnswerPosition.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"claim{claim.pk}_amount"] = forms.DecimalField(
                label=_("部分认可的金额（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
            )
        self.order_fields([*[f for f in self.fields if f.startswith("claim")], "account", "file"])

    def positions(self) -> dict:
        data = self.cleaned_data
        return {
            c.pk: (data.get(f"claim{c.pk}_position"), data.get(f"claim{c.pk}_amount"))
            for c in self.claim_rows
        }

    def field_for(self, name: str) -> str | None:
        """``claims.<id>.position`` → ``claim<id>_position`` (``accepted_amount`` → ``_amount``)."""
        if name.startswith("claims."):
            _prefix, pk, part = (name.split(".") + ["", ""])[:3]
            name = f"claim{pk}_{'amount' if part == 'accepted_amount' else part}"
        return name if name in self.fields else None


class PayForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    note = forms.CharField(label=gettext_lazy("付款说明（可不填）"), max_length=200, required=False)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=gettext_lazy("您对这次处理满意吗（1 分最不满意，5 分最满意）"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("意见和建议（可不填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _apply(form, exc: DomainError) -> None:
    if exc.fields and hasattr(form, "field_for"):
        for field, errors in exc.fields.items():
            for message in errors if isinstance(errors, list | tuple) else [errors]:
                form.add_error(form.field_for(field), str(message))
        return
    apply_domain_error(form, exc)


# --- the respondent ---------------------------------------------------------------------------------------------


def _respondent_cases(user):
    return Case.objects.filter(respondent__user=user, status__in=RESPONDENT_STATUSES)


def _respondent_case(request, pk: int) -> Case:
    case = (
        _respondent_cases(request.user)
        .select_related("scope_unit", "respondent")
        .prefetch_related("claims__answer_line", "clocks")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _agreement(case: Case) -> MediationRecord | None:
    return (
        MediationRecord.objects.filter(case=case, outcome=MediationOutcome.AGREEMENT)
        .select_related("payment", "work_order__posting")
        .first()
    )


@login_required
def respondent_list(request):
    """Complaints about me: the accepted cases naming the signed-in employer, newest first."""
    cases = (
        _respondent_cases(request.user)
        .select_related("respondent", "respondent_answer")
        .order_by("-received_at", "-id")[:100]
    )
    rows = [
        {"case": c, "state": selectors.deadline_state_of(c), "answered": hasattr(c, "respondent_answer")}
        for c in cases
    ]
    return render(request, "disputes/intervention_respondent_list.html", {"rows": rows})


@login_required
def respondent_detail(request, pk: int):
    """One case as its respondent reads it: number, status, deadlines, what is claimed, their answer, the
    agreement and its payment. No complainant, no facts, no mediation notes (they may name the complainant)."""
    case = _respondent_case(request, pk)
    answer = getattr(case, "respondent_answer", None)
    agreement = _agreement(case)
    context = {
        "case": case,
        "state": selectors.deadline_state_of(case),
        "clocks": list(case.clocks.all()),
        "claims": list(case.claims.all()),
        "answer": answer,
        "may_answer": answer is None and case.status in ANSWERABLE_STATUSES,
        "agreement": agreement,
        "paid": services.agreement_paid(agreement) if agreement else False,
    }
    return render(request, "disputes/intervention_respondent_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def respondent_answer(request, pk: int):
    case = _respondent_case(request, pk)
    if hasattr(case, "respondent_answer"):
        messages.info(request, _("您已经答复过了。"))
        return redirect("disputes:respondent_detail", pk=case.pk)
    claims = list(case.claims.all())
    form = AnswerForm(request.POST or None, request.FILES or None, claims=claims)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_submit(
                case=case,
                actor=request.user,
                account=form.cleaned_data["account"],
                positions=form.positions(),
                upload=form.cleaned_data.get("file"),
                request=request,
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已提交答复，工作人员会与您联系。"))
            return redirect("disputes:respondent_detail", pk=case.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "disputes/intervention_answer.html",
        {"case": case, "form": form, "claims": claims},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def respondent_pay(request, pk: int):
    """Pay an agreement to pay: through the agreed work order's payment (the work app's payment services and
    the gateway in force), or, without a work order, record the transfer for the worker to confirm."""
    case = _respondent_case(request, pk)
    agreement = _agreement(case)
    if agreement is None or not agreement.is_agreement_to_pay:
        raise Http404
    form = PayForm(request.POST or None, initial={"idempotency_key": f"mediation-{secrets.token_hex(12)}"})
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_pay(
                record=agreement,
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                note=form.cleaned_data.get("note", ""),
                request=request,
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            payment = agreement.payment
            if payment is not None and payment.status == PaymentStatus.PENDING and payment.checkout_url:
                # WeChat Pay / Alipay: the work app's order page shows the code or the cashier link
                return redirect("work:employer_order", pk=payment.work_order_id)
            if payment is not None and payment.status == PaymentStatus.PENDING:
                messages.success(request, _("已发起在线支付，支付结果会显示在这里。"))
            else:
                messages.success(request, _("已付款，等待劳动者确认收款。"))
            return redirect("disputes:respondent_pay", pk=case.pk)
    context = {
        "case": case,
        "agreement": agreement,
        "payment": agreement.payment,
        "paid": services.agreement_paid(agreement),
        "form": form,
    }
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "disputes/intervention_pay.html", context, status=status)


# --- the complainant ----------------------------------------------------------------------------------------------


def _complainant_case(request, pk: int) -> Case:
    case = Case.objects.filter(pk=pk, complainant=request.user).first()
    if case is None:
        raise Http404
    return case


@login_required
@require_POST
def confirm_receipt(request, pk: int):
    case = _complainant_case(request, pk)
    agreement = _agreement(case)
    if agreement is None:
        raise Http404
    try:
        services.agreement_confirm_receipt(record=agreement, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已确认收款，案件已办结。"))
    return redirect("disputes:detail", pk=case.pk)


@login_required
@require_POST
def rate(request, pk: int):
    case = _complainant_case(request, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rating_submit(
                case=case,
                actor=request.user,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data.get("comment", ""),
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("谢谢您的评价。"))
    else:
        messages.error(request, _("请选择 1 到 5 分。"))
    return redirect("disputes:detail", pk=case.pk)


urlpatterns = [
    path("respondent/", respondent_list, name="respondent_list"),
    path("respondent/<int:pk>/", respondent_detail, name="respondent_detail"),
    path("respondent/<int:pk>/answer/", respondent_answer, name="respondent_answer"),
    path("respondent/<int:pk>/pay/", respondent_pay, name="respondent_pay"),
    path("<int:pk>/receipt/", confirm_receipt, name="confirm_receipt"),
    path("<int:pk>/rate/", rate, name="rate"),
]
