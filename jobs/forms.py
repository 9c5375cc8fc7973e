"""Forms of the jobs pages. They validate input and hand cleaned data to the services; they never write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_phone
from core.api.fields import MAX_COUNT
from core.filtersets import MAX_ID
from core.models import ScopeUnit
from markets.models import Market

from .choices import WEEKDAYS, EmployerKind, ReportReason, SkillLevel
from .models import POSTING_FIELDS, WORKER_PROFILE_FIELDS, Occupation, Posting, WorkerProfile

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DECIMAL = {"inputmode": "decimal"}


def occupation_choices(*, blank: str | None = None) -> list:
    """Occupations grouped under their categories, for a <select> with <optgroup>s (one query)."""
    rows = Occupation.objects.filter(
        is_active=True, parent__isnull=False, parent__is_active=True
    ).select_related("parent")
    groups: dict[str, list] = {}
    for occ in rows.order_by("parent__sort", "parent__code", "sort", "code"):
        groups.setdefault(occ.parent.name, []).append(
            (occ.code, occ.name + (_("（须持证）") if occ.licensed else ""))
        )
    choices = [("", blank)] if blank is not None else []
    return choices + list(groups.items())


class OccupationField(forms.ChoiceField):
    """A grouped occupation choice that cleans to the Occupation."""

    def __init__(self, *, required: bool = True, **kwargs):
        super().__init__(choices=(), required=required, **kwargs)

    def prepare_value(self, value):
        """The option's value is the occupation's code; a saved record holds its id (ModelForm initial)."""
        if isinstance(value, Occupation):
            return value.code
        if isinstance(value, int):
            return Occupation.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        return value

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        occ = Occupation.objects.filter(code=code, is_active=True, parent__isnull=False).first()
        if occ is None:
            raise ValidationError(_("请选择工种。"))
        return occ


class RateField(forms.DecimalField):
    """A money rate stored with up to 4 places (piece rates such as 0.015) shown without trailing zeros:
    350, 0.015, 12.5 — never 350.0000."""

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return value


# --- worker ----------------------------------------------------------------------------------------------


class WorkerProfileForm(forms.ModelForm):
    """求职登记: where, when, for how much, and how to be told of new work."""

    available_days = forms.MultipleChoiceField(
        label=_("可工作日"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一天。")},
    )
    preferred_units = forms.ModelMultipleChoiceField(
        label=_("希望工作的县（市、区）"),
        queryset=ScopeUnit.objects.filter(is_active=True).order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WorkerProfile
        # the inbox is not a choice: every message lands there whatever else is sent (ADR 0017)
        fields = ["preferred_units", *(f for f in WORKER_PROFILE_FIELDS if f != "notify_inbox")]
        widgets = {
            "available_from": TIME,
            "available_to": TIME,
            "home_lat": forms.NumberInput(attrs={"step": "any", **DECIMAL}),
            "home_lng": forms.NumberInput(attrs={"step": "any", **DECIMAL}),
            "expected_wage": forms.NumberInput(attrs={"step": "0.01", "min": "0", **DECIMAL}),
            "max_distance_km": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "home_lat": _("用于计算离家距离；可点“用我的位置”自动填写，不填则按希望工作的县（市、区）推荐。"),
            "expected_wage": _("不填表示按岗位给出的工资即可。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and not self.is_bound:
            self.initial["available_days"] = list(self.instance.available_days or "")
        for name in ("notify_sms", "notify_wechat"):
            self.fields[name].help_text = ""

    def clean_available_days(self):
        return "".join(sorted(set(self.cleaned_data["available_days"])))

    def clean(self):
        data = super().clean()
        if (data.get("home_lat") is None) != (data.get("home_lng") is None):
            self.add_error("home_lng", _("经纬度须同时填写。"))
        return data

    def profile_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in WORKER_PROFILE_FIELDS if k in self.fields}


class SkillForm(forms.Form):
    occupation = OccupationField(label=_("工种"), required=False)
    level = forms.ChoiceField(label=_("水平"), choices=SkillLevel.choices, initial=SkillLevel.SKILLED)
    years = forms.IntegerField(
        label=_("从业年限"),
        min_value=0,
        max_value=60,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].choices = (
            choices if choices is not None else occupation_choices(blank=_("（不填）"))
        )


class CertificateForm(forms.Form):
    occupation = OccupationField(label=_("对应工种"), required=False)
    name = forms.CharField(label=_("证书名称"), max_length=100, required=False)
    number = forms.CharField(label=_("证书编号"), max_length=64, required=False)
    issuer = forms.CharField(label=_("发证机关"), max_length=100, required=False)
    expires_on = forms.DateField(
        label=_("有效期至"), required=False, widget=DATE, help_text=_("长期有效可不填。")
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].choices = (
            choices if choices is not None else occupation_choices(blank=_("（不填）"))
        )

    def clean(self):
        data = super().clean()
        filled = [k for k in ("occupation", "name", "number", "issuer") if data.get(k)]
        if filled and len(filled) < 4:
            for k in ("occupation", "name", "number", "issuer"):
                if not data.get(k) and k not in self.errors:
                    self.add_error(k, _("请填写完整的证书信息，或全部留空。"))
        return data


class _RowsFormSet(forms.BaseFormSet):
    """Rows left blank are ignored; the same row twice is an error."""

    duplicate_message = _("同一工种只填一行。")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("form_kwargs", {})["choices"] = occupation_choices(blank=_("（不填）"))
        super().__init__(*args, **kwargs)

    @staticmethod
    def row_key(data: dict):
        return data["occupation"].pk

    def filled(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data.get("occupation")]

    def clean(self):
        if any(self.errors):
            return
        keys = [self.row_key(row) for row in self.filled()]
        if len(keys) != len(set(keys)):
            raise ValidationError(self.duplicate_message)


class _CertificateRows(_RowsFormSet):
    duplicate_message = _("同一证书只填一行。")

    @staticmethod
    def row_key(data: dict):
        return (data["occupation"].pk, data["number"])


SkillFormSet = forms.formset_factory(SkillForm, formset=_RowsFormSet, extra=2, max_num=20, validate_max=True)
CertificateFormSet = forms.formset_factory(
    CertificateForm, formset=_CertificateRows, extra=1, max_num=10, validate_max=True
)


# --- posting pages ---------------------------------------------------------------------------------------


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("举报类型"), choices=ReportReason.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label=_("说明（选填）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EmployerRegisterForm(forms.Form):
    kind = forms.ChoiceField(label=_("用工方类型"), choices=EmployerKind.choices, widget=forms.RadioSelect)
    display_name = forms.CharField(
        label=_("对外名称"), max_length=100, help_text=_("如“王先生家”“潍坊某某装饰公司”，会显示在岗位上。")
    )
    scope_unit = forms.ModelChoiceField(
        label=_("所在县（市、区）"), queryset=ScopeUnit.objects.filter(is_active=True).order_by("code")
    )
    organization = forms.ModelChoiceField(
        label=_("单位"), queryset=None, required=False, empty_label=_("（个人或家庭不选）")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = user.organizations.all()
        if not self.is_bound:
            self.initial.setdefault("scope_unit", user.scope_unit_id)
            self.initial.setdefault(
                "kind", EmployerKind.ORGANIZATION if user.organizations.exists() else EmployerKind.PERSON
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") == EmployerKind.ORGANIZATION and not data.get("organization"):
            self.add_error("organization", _("企业或单位请选择注册时登记的单位。"))
        return data


# The posting's one field list (models.POSTING_FIELDS) less the town, which the page does not ask for.
POSTING_FORM_FIELDS = [name for name in POSTING_FIELDS if name != "town"]


class PostingForm(forms.ModelForm):
    """The posting form. The services check the minimum wage and screen the text; this only shapes input.
    Leaving the coordinates empty and choosing a market places the job at the market."""

    occupation = OccupationField(label=_("工种"))
    scope_unit = forms.ModelChoiceField(
        label=_("县（市、区）"), queryset=ScopeUnit.objects.filter(is_active=True).order_by("code")
    )
    market = forms.ModelChoiceField(
        label=_("所在零工市场（选填）"),
        queryset=Market.objects.public().order_by("scope_unit__code", "name"),
        required=False,
        empty_label=_("（不在市场内）"),
    )
    lat = forms.FloatField(
        label=_("纬度"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", **DECIMAL}),
    )
    lng = forms.FloatField(
        label=_("经度"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", **DECIMAL}),
        help_text=_("不知道经纬度可以留空并选择所在零工市场，按市场位置显示。"),
    )
    wage_amount = RateField(
        label=_("工资"),
        min_value=0.01,
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", **DECIMAL}),
    )
    ack_warnings = forms.BooleanField(label=_("我已了解以上提示，仍然提交审核"), required=False)

    class Meta:
        model = Posting
        fields = POSTING_FORM_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
            "work_start_date": DATE,
            "work_end_date": DATE,
            "start_time": TIME,
            "end_time": TIME,
            "estimated_daily_wage": forms.NumberInput(attrs={"step": "0.01", **DECIMAL}),
            "headcount": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].choices = occupation_choices(blank=_("请选择"))
        self.fields["headcount"].min_value = 1

    def clean(self):
        data = super().clean()
        start, end = data.get("work_start_date"), data.get("work_end_date")
        if start and end and end < start:
            self.add_error("work_end_date", _("结束日期不能早于开工日期。"))
        lat, lng, market = data.get("lat"), data.get("lng"), data.get("market")
        if lat is None and lng is None and market is not None:
            data["lat"], data["lng"] = market.lat, market.lng
            self.instance.lat, self.instance.lng = market.lat, market.lng
        elif lat is None or lng is None:
            self.add_error("lng" if lat is not None else "lat", _("请填写经纬度，或选择所在零工市场。"))
        return data

    def posting_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in POSTING_FORM_FIELDS}


# --- counter ---------------------------------------------------------------------------------------------


class CounterLookupForm(forms.Form):
    phone = forms.CharField(
        label=_("劳动者手机号码（完整11位）"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class CounterCardForm(forms.Form):
    """The worker card (ADR 0019): typed, or scanned by the counter's scanner into the field."""

    card_number = forms.CharField(
        label=_("服务卡号（9位，可扫码）"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReferralForm(forms.Form):
    posting = forms.IntegerField(
        label=_("岗位编号"),
        min_value=1,
        max_value=MAX_ID,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("岗位详情页标题下方的编号，或从上面的推荐中选。"),
    )
    note = forms.CharField(
        label=_("介绍说明"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如劳动者的特长、到岗时间，会印在介绍信上。"),
    )


# --- job fairs -------------------------------------------------------------------------------------------


class BookForm(forms.Form):
    positions = forms.CharField(
        label=_("拟招岗位"),
        max_length=200,
        required=False,
        help_text=_("例如：电工2名、保洁5名"),
    )


class AssistForm(forms.Form):
    phone = forms.CharField(
        label=_("求职者手机号"),
        max_length=16,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class OutcomeForm(forms.Form):
    attendance = forms.IntegerField(label=_("到场人数"), min_value=0, max_value=MAX_COUNT)
    intents = forms.IntegerField(label=_("达成意向人数"), min_value=0, max_value=MAX_COUNT)
    hires = forms.IntegerField(label=_("实际录用人数"), min_value=0, max_value=MAX_COUNT)
