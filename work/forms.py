"""Forms of the work pages: they parse what a worker or employer typed and hand clean values to the services;
they never write. An unparseable value is a field error shown beside the step (nothing is changed)."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.months import next_month, parse_month

from .calculators import SHANGHAI

DECIMAL = {"inputmode": "decimal"}


class CheckForm(forms.Form):
    """Check in or out: the site's QR token, or the phone's location (filled in by static/work/checkin.js)."""

    qr_token = forms.CharField(label=_("签到码"), required=False, max_length=64)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    pieces = forms.DecimalField(
        label=_("完成件数"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    confirm_short = forms.BooleanField(label=_("确认现在签退"), required=False)

    def clean_qr_token(self):
        return (self.cleaned_data.get("qr_token") or "").strip()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, max_length=300)


class ApproveForm(forms.Form):
    pieces = forms.DecimalField(
        label=_("完成件数"), required=False, min_value=0, max_digits=10, decimal_places=2
    )


class CorrectHoursForm(forms.Form):
    hours = forms.DecimalField(
        label=_("更正后工时"), required=False, min_value=0, max_value=24, max_digits=5, decimal_places=2
    )
    pieces = forms.DecimalField(
        label=_("更正后件数"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    reason = forms.CharField(label=_("更正原因"), required=False, max_length=300)


class RecordEndForm(forms.Form):
    ended_at = forms.DateTimeField(
        label=_("结束时间"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    reason = forms.CharField(label=_("原因"), required=False, max_length=300)

    def clean_ended_at(self):
        ended = self.cleaned_data["ended_at"]
        return ended.replace(tzinfo=SHANGHAI) if timezone.is_naive(ended) else ended


def earnings_period(data) -> tuple[dt.date | None, dt.date | None]:
    """The statement's months from ``from`` and ``to`` (YYYY-MM): [first day of ``from``, first day after
    ``to``); either may be missing."""
    start = parse_month(data.get("from"))
    last = parse_month(data.get("to"))
    return start, (next_month(last) if last else None)


# --- payment, receipt and ratings ---------------------------------------------------------------------------


class PayForm(forms.Form):
    """The employer pays an approved work order: an offline transfer they record (the worker then confirms
    receipt), or the configured online gateway. The idempotency key is made when the form is shown, so a
    double tap or a resubmitted page never pays twice."""

    method = forms.ChoiceField(label=_("付款方式"), widget=forms.RadioSelect)
    payee_account = forms.CharField(
        label=_("收款账号（选填）"),
        max_length=32,
        required=False,
        help_text=_("银行卡号、微信号或支付宝账号，只有劳动者本人能看到完整号码。"),
    )
    note = forms.CharField(label=_("备注（选填）"), max_length=300, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, backend: str, **kwargs):
        from .choices import PaymentBackend, PaymentMethod
        from .gateways import OFFLINE_METHOD_CHOICES

        super().__init__(*args, **kwargs)
        self.backend = backend
        if backend == PaymentBackend.OFFLINE:
            self.fields["method"].choices = OFFLINE_METHOD_CHOICES
        else:
            self.fields["method"].choices = [(PaymentMethod.ONLINE.value, PaymentMethod.ONLINE.label)]
            self.fields["method"].initial = PaymentMethod.ONLINE.value
            del self.fields["payee_account"]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class RatingForm(forms.Form):
    """1–5 stars, up to five tags from the fixed list of the direction, an optional comment."""

    stars = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择星级。")},
    )
    tags = forms.MultipleChoiceField(
        label=_("印象（最多选5个）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("评语（选填）"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stars"].choices = [(n, gettext("%(n)s星") % {"n": n}) for n in range(5, 0, -1)]
        self.fields["tags"].choices = [(t, gettext(t)) for t in tags]


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("申诉理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}), min_length=2
    )


class NotReceivedForm(forms.Form):
    reason = forms.CharField(
        label=_("情况说明"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：约定微信转账，至今没有收到。提交后人社部门会跟进核实。"),
    )


class RefundForm(forms.Form):
    """The employer refunds a succeeded online payment in full (the order is then owed again). The
    idempotency key is made when the form is shown: a resubmitted page refunds once."""

    reason = forms.CharField(label=_("退款原因"), min_length=2, max_length=300)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
