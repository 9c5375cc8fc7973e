from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import ScopeUnit

from .choices import PolicyCategory


class PolicySearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=50)
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), *PolicyCategory.choices]
    )


class QuestionForm(forms.Form):
    scope_unit = forms.ModelChoiceField(
        label=_("向哪个县（市、区）咨询"),
        queryset=ScopeUnit.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=_("我所在的县（市、区）"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=PolicyCategory.choices)
    title = forms.CharField(label=_("问题摘要"), max_length=100)
    body = forms.CharField(
        label=_("问题详情"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请不要填写身份证号、银行卡号等个人信息。"),
    )


class CounterQuestionForm(QuestionForm):
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("counter", _("窗口咨询")), ("hotline", _("电话咨询"))]
    )
    asker_name = forms.CharField(label=_("咨询人姓名"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("回复电话"), max_length=20, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))


class FaqForm(forms.Form):
    faq_question = forms.CharField(
        label=_("公开的问题"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("改写为不含任何个人信息的一般性问题。"),
    )
    faq_answer = forms.CharField(
        label=_("公开的答复"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class BookingForm(forms.Form):
    need = forms.CharField(label=_("想咨询的问题"), max_length=200, required=False)


class BookingRecordForm(forms.Form):
    attended = forms.TypedChoiceField(
        label=_("是否到场"),
        choices=[("1", _("已到场")), ("0", _("未到场"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    guidance_given = forms.CharField(
        label=_("指导内容"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity = forms.IntegerField(label=_("可预约人数"), min_value=1, max_value=50, initial=4)
    counsellor = forms.CharField(label=_("职业指导师"), max_length=40)
    topic = forms.CharField(label=_("主题"), max_length=80, required=False)
