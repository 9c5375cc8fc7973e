"""Page forms. They collect and pre-check input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import ScopeUnit

from .choices import AccountType
from .validators import normalize_phone


def scope_unit_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("所在县（市、区）"),
        queryset=ScopeUnit.objects.filter(is_active=True).order_by("kind", "code"),
        empty_label=_("请选择"),
        **kwargs,
    )


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号码"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel", "pattern": r"[0-9 +\-]*"})

    def clean(self, value):
        return normalize_phone(super().clean(value))


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("短信验证码"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("min_length", 6)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})


class RegistrationForm(forms.Form):
    account_type = forms.ChoiceField(
        label=_("我要"), choices=AccountType.choices, widget=forms.RadioSelect, initial=AccountType.WORKER
    )
    phone = PhoneField()
    code = CodeField(required=False, help_text=_("先点击“获取验证码”，收到短信后填写。"))
    real_name = forms.CharField(
        label=_("姓名"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        required=False,
        help_text=_("找活和个人招人须填写，用于实名核验。"),
    )
    org_name = forms.CharField(
        label=_("单位名称"), max_length=128, required=False, help_text=_("单位招人时填写。")
    )
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False, help_text=_("单位招人时填写。")
    )
    scope_unit = scope_unit_field()
    password = forms.CharField(
        label=_("设置密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全是数字。"),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护告知书》"),
        error_messages={"required": _("请阅读并同意《个人信息保护告知书》。")},
    )
    notice_version = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        kind = data.get("account_type")
        if kind in (AccountType.WORKER, AccountType.EMPLOYER_PERSON) and not data.get("id_number"):
            self.add_error("id_number", _("请填写身份证号码。"))
        if kind == AccountType.EMPLOYER_ORG:
            if not data.get("org_name"):
                self.add_error("org_name", _("请填写单位名称。"))
            if not data.get("uscc"):
                self.add_error("uscc", _("请填写统一社会信用代码。"))
        return data


class SendCodeForm(forms.Form):
    phone = PhoneField()


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("手机号码或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class PasswordResetForm(forms.Form):
    phone = PhoneField()
    code = CodeField(required=False)
    new_password1 = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), required=False
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not data.get("code"):
            self.add_error("code", _("请填写短信验证码。"))
        if not data.get("new_password1"):
            self.add_error("new_password1", _("请填写新密码。"))
        elif data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data


class ProfileForm(forms.Form):
    scope_unit = scope_unit_field()


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("请输入密码确认"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(label=_("我确认注销账号，注销后无法恢复"))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("密码不正确。"))
        return password


# --- counter-managed accounts (ADR 0019) --------------------------------------------------------------

RELATIONS = [
    ("", _("请选择")),
    ("子女", _("子女")),
    ("配偶", _("配偶")),
    ("父母", _("父母")),
    ("兄弟姐妹", _("兄弟姐妹")),
    ("其他亲属", _("其他亲属")),
]


class CounterAccountForm(forms.Form):
    """Counter staff open an account for a worker without a phone (the service checks and decides)."""

    real_name = forms.CharField(label=_("姓名（与身份证一致）"), max_length=64)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    id_checked = forms.BooleanField(label=_("我已当面查验身份证原件，人证一致"), required=False)
    scope_unit = scope_unit_field()
    relative_phone = forms.CharField(
        label=_("亲属联系电话（可不填）"),
        max_length=20,
        required=False,
        help_text=_("仅作联系用，不作登录账号，可与他人重复。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    relative_relation = forms.ChoiceField(label=_("该号码机主是劳动者的"), choices=RELATIONS, required=False)
    consent_scan = forms.FileField(
        label=_("劳动者签字的告知书（扫描件或照片）"),
        required=False,
        help_text=_("JPEG 或 PNG 图片，不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    notice_version = forms.CharField(widget=forms.HiddenInput)
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class UpgradeForm(forms.Form):
    """The worker's own new number, confirmed by the SMS code it receives."""

    phone = PhoneField(label=_("劳动者本人的手机号码"))
    code = CodeField(required=False)
    password = forms.CharField(
        label=_("设置登录密码（可不填，用短信验证码登录）"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class CodeLoginForm(forms.Form):
    phone = PhoneField()
    code = CodeField(required=False)


class ClaimForm(forms.Form):
    """A worker whose account was opened at a counter binds their own new phone."""

    card_number = forms.CharField(
        label=_("服务卡号（9位）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    phone = PhoneField(label=_("本人手机号码"))
    code = CodeField(required=False)
    password = forms.CharField(
        label=_("设置登录密码（可不填，用短信验证码登录）"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
