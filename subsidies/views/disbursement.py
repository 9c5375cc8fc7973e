"""The worker's subsidy payments page (我的补贴发放): the account subsidies are paid into (masked; entered or
changed here by the worker, or by counter staff serving them) and every payment with its status — pending,
sent to the bank, paid, failed with the bank's reason, returned. Mobile first, no JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.forms import apply_domain_error
from jobs.views.counter import acting_context, acting_worker

from .. import selectors
from ..choices import AccountKind
from ..services import disbursement as services


class PayeeAccountForm(forms.Form):
    """Parses the account a person enters (the service checks it and that it is in their own name)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("账户类型"), choices=AccountKind.choices, widget=forms.RadioSelect
    )
    bank_name = forms.CharField(label=gettext_lazy("开户银行"), max_length=60)
    account_number = forms.CharField(
        label=gettext_lazy("账号"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("社会保障卡金融账户或本人银行卡的卡号"),
    )
    holder_name = forms.CharField(
        label=gettext_lazy("户名"), max_length=64, help_text=gettext_lazy("须为本人姓名")
    )


@login_required
def payments(request):
    worker, assisted = acting_worker(request)
    account = selectors.payee_account_of(person=worker)
    form = PayeeAccountForm(
        request.POST or None,
        initial={"holder_name": worker.real_name, "kind": AccountKind.SOCIAL_SECURITY_CARD},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.payee_account_save(
                    person=worker, actor=request.user, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = 400
            else:
                messages.success(request, _("收款账户已保存。之后的补贴发放到这个账户。"))
                return redirect("subsidies:payments")
        else:
            status = 400
    context = {
        "account": account,
        "form": form,
        "payments": selectors.my_payments(person=worker)[:50],
        **acting_context(request),
    }
    return render(request, "subsidies/payments.html", context, status=status)


urlpatterns = [
    path("payments/", payments, name="payments"),
]
