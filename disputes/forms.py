"""Forms of the complaint pages (no JavaScript needed): up to three claim lines as plain fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.models import ScopeUnit
from markets.choices import RISK_DECISIONS, FindingResult

from . import respondents
from .choices import STAFF_CHANNELS, Channel, ClaimType, HazardKind, RelationshipType

CLAIM_ROWS = 3


class ComplaintForm(forms.Form):
    """A complaint made online by a worker or an employer for themselves. A worker picks the respondent from
    the employers of their own work orders (the order is named, so the evidence bundle is drawn from it) or
    writes another one's name; an employer may name the market and the work order (the worker) it is about.
    The lists come from ``disputes.respondents``, scoped to the signed-in person's own records (ADR 0032)."""

    respondent_name = forms.CharField(
        label=_("其他用工方（单位或个人名称）"),
        max_length=100,
        required=False,
        help_text=_("上面的列表里没有时填写。例：某某建筑公司、王某（装修队）"),
    )
    respondent_contact = forms.CharField(
        label=_("被投诉方电话或地址（知道的话）"), max_length=120, required=False
    )
    relationship_type = forms.ChoiceField(
        label=_("您和对方是什么关系"),
        choices=RelationshipType.choices,
        initial=RelationshipType.UNKNOWN,
        help_text=_(
            "劳动关系：对方是单位，您在它的管理下上班；劳务关系：临时帮个人或家庭干活。不清楚可以不改。"
        ),
    )
    facts = forms.CharField(
        label=_("事实与理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("什么时候、在哪里干活，约定多少钱，对方欠多少、怎么说的。"),
    )
    withhold_identity = forms.BooleanField(label=_("不让被投诉方知道我的姓名和电话"), required=False)
    evidence = forms.FileField(
        label=_("证据材料（照片或 PDF，可不传）"),
        required=False,
        help_text=_("考勤、聊天记录截图、转账记录等；以后也可以补充。"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            self._respondent_fields(user)
        for i in range(1, CLAIM_ROWS + 1):
            required = i == 1
            self.fields[f"claim{i}_type"] = forms.ChoiceField(
                label=_("诉求 %(n)s：类型") % {"n": i},
                choices=[("", "—")] + list(ClaimType.choices),
                required=required,
            )
            self.fields[f"claim{i}_amount"] = forms.DecimalField(
                label=_("诉求 %(n)s：金额（元）") % {"n": i},
                min_value=0,
                max_digits=12,
                decimal_places=2,
                required=required,
            )
            self.fields[f"claim{i}_from"] = forms.DateField(
                label=_("诉求 %(n)s：从（日期）") % {"n": i},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"claim{i}_to"] = forms.DateField(
                label=_("诉求 %(n)s：到（日期）") % {"n": i},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        self.order_fields(
            ["work_order", "market", "respondent_name", "respondent_contact", "relationship_type", "facts"]
            + [f"claim{i}_{p}" for i in range(1, CLAIM_ROWS + 1) for p in ("type", "amount", "from", "to")]
        )

    def _respondent_fields(self, user) -> None:
        worker_rows = respondents.respondent_choices(user)
        if worker_rows:
            self.fields["work_order"] = forms.ChoiceField(
                label=_("被投诉的用工方（您在平台上干过活的）"),
                choices=[(str(c.work_order_id), c.label) for c in worker_rows]
                + [("", _("其他用工方（在下面填写名称）"))],
                required=False,
                widget=forms.RadioSelect,
                help_text=_("选了哪一次用工，签到签退、工时、确认和支付记录会自动作为证据。"),
            )
        if respondents.worker_orders(user) is not None:
            return  # a worker (who may also employ: a foreman) complains as the worker here
        orders = respondents.worker_choices(user)
        markets = respondents.employer_markets(user)
        if orders:
            self.fields["work_order"] = forms.ChoiceField(
                label=_("关于哪一次用工（可不选）"),
                choices=[("", _("不涉及平台上的用工"))] + [(str(pk), label) for pk, label in orders],
                required=False,
                help_text=_("选了用工单，被投诉方按该劳动者登记；用工记录会自动作为证据。"),
            )
        if markets.exists():
            self.fields["market"] = forms.ModelChoiceField(
                label=_("涉及哪个零工市场（可不选）"),
                queryset=markets,
                required=False,
                empty_label=_("不涉及"),
            )

    def clean_work_order(self):
        value = self.cleaned_data.get("work_order")
        if not value:
            return None
        try:
            return respondents.own_work_order(self.user, value)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None

    def clean(self):
        data = super().clean()
        if (
            "respondent_name" in self.fields
            and not data.get("work_order")
            and not (data.get("respondent_name") or "").strip()
            and "respondent_name" not in self.errors
        ):
            self.add_error("respondent_name", _("请从列表中选择被投诉方，或填写其名称。"))
        return data

    def claims(self) -> list[dict]:
        data, rows = self.cleaned_data, []
        for i in range(1, CLAIM_ROWS + 1):
            if data.get(f"claim{i}_type") and data.get(f"claim{i}_amount") is not None:
                rows.append(
                    {
                        "claim_type": data[f"claim{i}_type"],
                        "amount": data[f"claim{i}_amount"],
                        "period_from": data.get(f"claim{i}_from"),
                        "period_to": data.get(f"claim{i}_to"),
                    }
                )
        return rows

    def service_data(self) -> dict:
        keys = (
            "respondent_name",
            "respondent_contact",
            "relationship_type",
            "facts",
            "withhold_identity",
            "work_order",
            "market",
        )
        return {k: self.cleaned_data.get(k) for k in keys if k in self.cleaned_data}

    def field_for(self, name: str) -> str | None:
        """The form field of a service's field name (``claims.0.amount`` → ``claim1_amount``)."""
        if name.startswith("claims."):
            parts = name.split(".")
            if len(parts) == 3 and parts[1].isdigit():
                suffix = {"claim_type": "type", "amount": "amount", "period_from": "from", "period_to": "to"}
                name = f"claim{int(parts[1]) + 1}_{suffix.get(parts[2], parts[2])}"
        return name if name in self.fields else None


class CounterComplaintForm(ComplaintForm):
    """A complaint staff record: at the counter (with the signature scan), by phone (12333), transferred
    from 12345 (ticket and its deadline) or a clue from the national wage-arrears platform."""

    channel = forms.ChoiceField(
        label=_("渠道"), choices=[(c.value, c.label) for c in Channel if c in STAFF_CHANNELS]
    )
    scope_unit = forms.ModelChoiceField(
        label=_("受理单位"), queryset=ScopeUnit.objects.filter(is_active=True), required=False
    )
    complainant_name = forms.CharField(label=_("投诉人姓名"), max_length=40)
    complainant_phone = forms.CharField(label=_("联系电话"), max_length=20)
    signature_scan = forms.FileField(label=_("投诉人签字确认（窗口登记必传，扫描件或照片）"), required=False)
    external_ticket_id = forms.CharField(label=_("12345 工单号"), max_length=40, required=False)
    external_due_on = forms.DateField(
        label=_("12345 答复期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    clue_id_number = forms.CharField(label=_("线索：身份证号"), max_length=18, required=False)
    clue_bank_card = forms.CharField(label=_("线索：工资卡号"), max_length=32, required=False)
    clue_is_construction = forms.BooleanField(label=_("线索：工程建设领域"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withhold_identity"].label = _("投诉人要求对被投诉方保密身份")
        self.order_fields(["channel", "scope_unit", "complainant_name", "complainant_phone", *self.fields])

    def service_data(self) -> dict:
        data = super().service_data()
        for key in (
            "scope_unit",
            "complainant_name",
            "complainant_phone",
            "external_ticket_id",
            "external_due_on",
            "clue_id_number",
            "clue_bank_card",
            "clue_is_construction",
        ):
            data[key] = self.cleaned_data.get(key)
        return data


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("补充证据（照片或 PDF）"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


# --- market safety reports (ADR 0027) ----------------------------------------------------------------------------


class SafetyReportForm(forms.Form):
    """A hazard at a market, reported by anyone (no account needed). The photo is checked by its content in
    the service; the contact is optional."""

    market = forms.ModelChoiceField(label=_("哪个零工市场"), queryset=None, empty_label=_("请选择"))
    hazard_kind = forms.ChoiceField(label=_("隐患类型"), choices=HazardKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("情况描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("看到了什么、有什么危险。例：东门雨棚立柱锈断，刮风时晃动。"),
    )
    spot = forms.CharField(label=_("具体位置（可不填）"), max_length=120, required=False)
    lat = forms.FloatField(
        label=_("纬度（可不填）"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label=_("经度（可不填）"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    photo = forms.FileField(
        label=_("现场照片（可不传）"),
        required=False,
        help_text=_("JPEG 或 PNG 图片；照片中的定位等信息会被去除。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    contact_name = forms.CharField(label=_("您的称呼（可不填）"), max_length=40, required=False)
    contact_phone = forms.CharField(
        label=_("手机号（可不填）"),
        max_length=20,
        required=False,
        help_text=_("留下手机号可以收到处理结果；市场运营方看不到您的信息。"),
    )

    def __init__(self, *args, markets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].queryset = markets

    def service_data(self) -> dict:
        return dict(self.cleaned_data)

    def field_for(self, name: str) -> str | None:
        return name if name in self.fields else None


class SafetyTriageForm(forms.Form):
    """Staff open an inspection of the market from a report: the date, who inspected and the checklist items
    found with problems (others passed)."""

    inspected_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    inspector_names = forms.CharField(label=_("检查人员"), max_length=200, required=False)
    major = forms.ModelMultipleChoiceField(
        label=_("严重问题的检查项"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    minor = forms.ModelMultipleChoiceField(
        label=_("一般问题的检查项"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("备注"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["major"].queryset = items
        self.fields["minor"].queryset = items

    def clean(self):
        data = super().clean()
        both = set(data.get("major") or ()) & set(data.get("minor") or ())
        if both:
            self.add_error("minor", _("同一检查项不能既是严重问题又是一般问题。"))
        return data

    def findings(self) -> dict:
        result = {item: FindingResult.MAJOR for item in self.cleaned_data.get("major") or ()}
        result.update({item: FindingResult.MINOR for item in self.cleaned_data.get("minor") or ()})
        return result


class SafetyDismissForm(forms.Form):
    reason = forms.CharField(
        label=_("不予处理的理由"), min_length=2, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SafetyDecideForm(forms.Form):
    """The inspection's decision, taken from the report (the markets service does the market's part)."""

    action = forms.ChoiceField(
        label=_("处置"), choices=[(a.value, a.label) for a in RISK_DECISIONS], widget=forms.RadioSelect
    )
    rectify_deadline = forms.DateField(
        label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("原因"), min_length=2, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    alternative = forms.CharField(label=_("请工人前往（暂停或取缔时公告）"), max_length=300, required=False)
