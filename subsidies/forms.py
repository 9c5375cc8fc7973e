"""Subsidies' forms: the application (the calculator's answer pre-filled), evidence, the review steps in the
admin, and the public objection. Forms only read input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.applications import APPROVE, REJECT, RETURN


class ApplyForm(forms.Form):
    amount = forms.DecimalField(
        label=_("申请金额（元）"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("已按测算结果填好；测算还不能确定时请自行填写并上传证明材料"),
    )
    statement = forms.CharField(label=_("申请说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confirm = forms.BooleanField(label=_("我确认以上信息真实，同意公示（姓名、身份证号将部分隐藏）"))


class ResubmitForm(forms.Form):
    statement = forms.CharField(label=_("补充说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证明材料（JPEG、PNG 图片或 PDF）"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("审核结论"),
        choices=[(APPROVE, _("通过")), (RETURN, _("退回补正")), (REJECT, _("不予通过"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("核定金额（元）"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("留空为申请金额"),
    )
    reason = forms.CharField(
        label=_("意见或原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("退回或不予通过时必填"),
    )


class ObjectionHandleForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=_("处理结论"),
        choices=[("1", _("异议成立（退回申请）")), ("0", _("异议不成立"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("异议内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明事实和理由；可以匿名提出"),
    )


class InsuredListForm(forms.Form):
    """An employer's insured list for a month (ADR 0037)."""

    payer_kind = forms.ChoiceField(
        label=_("本单位是"),
        choices=[("platform", _("新就业形态平台")), ("agency", _("家政服务机构"))],
    )
    month = forms.CharField(label=_("申领月份（YYYY-MM）"), max_length=7)
    file = forms.FileField(
        label=_("投保名单（CSV 或 XLSX）"),
        help_text=_(
            "列：身份证号码、姓名、保单号、保费、保障月份、管理人员（是/否）、职业伤害保障（是/否或用工单号）"
        ),
    )
    dry_run = forms.BooleanField(label=_("试算：只出报告，不提交"), required=False)
