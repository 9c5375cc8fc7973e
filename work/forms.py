"""Forms of the work pages: they parse what a worker or employer typed and hand clean values to the services;
they never write. An unparseable value is a field error shown beside the step (nothing is changed)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
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
