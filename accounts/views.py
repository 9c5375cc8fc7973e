from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import selectors as core_selectors
from core import services as core_services
from core import wechat as core_wechat
from core.audit import audit_record
from core.choices import AuditAction, DeliveryStatus
from core.errors import DomainError
from core.forms import apply_domain_error
from core.masking import mask_name

from . import navigation, selectors, services
from .cards import card_pass_remember, card_qr_svg
from .choices import CodePurpose
from .forms import (
    ClaimForm,
    CodeLoginForm,
    CounterAccountForm,
    DeleteAccountForm,
    LoginForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationForm,
    UpgradeForm,
)
from .models import PhoneCode, WeChatBinding
from .permissions import keeps_counter_accounts
from .validators import normalize_phone


def _send_code(request, form, purpose) -> None:
    """The "获取验证码" button: a plain form submit, so it works without JavaScript."""
    try:
        phone = normalize_phone(request.POST.get("phone", ""))
    except ValidationError as exc:
        form.errors.clear()
        form.add_error("phone", exc)
        return
    try:
        record = services.phone_code_send(phone=phone, purpose=purpose, request=request)
    except DomainError as exc:
        form.errors.clear()
        form.add_error("code", str(exc.message))
        return
    form.errors.clear()
    if record.pk and purpose == CodePurpose.REGISTER:
        request.session[SMS_CODE_SESSION_KEY] = record.pk
    messages.success(
        request, _("验证码已发送到 %(phone)s，5分钟内有效。") % {"phone": phone[:3] + "****" + phone[-4:]}
    )


SMS_CODE_SESSION_KEY = "sms_code_id"


def sms_problem(request) -> str:
    """What to tell a person whose last code has not gone out (ADR 0017): the provider failed and the code is
    being retried, or it failed for good. Empty when it was sent or is on its way."""
    code_id = request.session.get(SMS_CODE_SESSION_KEY)
    if not code_id:
        return ""
    record = PhoneCode.objects.select_related("delivery").filter(pk=code_id, used_at__isnull=True).first()
    delivery = record.delivery if record else None
    if delivery is None:
        return ""
    if delivery.status == DeliveryStatus.FAILED:
        return _("短信没有发送成功，请重新获取验证码；仍收不到请到就近的零工市场服务台办理。")
    if delivery.status == DeliveryStatus.PENDING and delivery.last_error:
        return _("短信平台暂时繁忙，验证码正在重新发送，请稍候；也可以重新获取。")
    return ""


@require_http_methods(["GET", "POST"])
def register(request):
    notice = services.current_privacy_notice()
    initial = {"notice_version": notice.version if notice else ""}
    if request.method == "POST":
        form = RegistrationForm(request.POST, initial=initial)
        if request.POST.get("action") == "send_code":
            form.is_valid()
            _send_code(request, form, CodePurpose.REGISTER)
        elif form.is_valid():
            data = form.cleaned_data
            if not data.get("code"):
                form.add_error("code", _("请填写短信验证码。"))
            else:
                try:
                    user = services.user_register(
                        phone=data["phone"],
                        code=data["code"],
                        password=data["password"],
                        account_type=data["account_type"],
                        real_name=data["real_name"],
                        scope_unit=data["scope_unit"],
                        id_number=data.get("id_number", ""),
                        org_name=data.get("org_name", ""),
                        uscc=data.get("uscc", ""),
                        notice_version=data["notice_version"],
                        request=request,
                    )
                except DomainError as exc:
                    apply_domain_error(form, exc)
                else:
                    login(request, user, backend="accounts.backends.RoleBackend")
                    messages.success(request, _("注册成功，欢迎使用！"))
                    return redirect(navigation.first_step_url(user))
    else:
        form = RegistrationForm(initial=initial)
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"form": form, "notice": notice, "sms_problem": sms_problem(request)}
    return render(request, "accounts/register.html", context, status=status)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Without a safe ``next``: the role's home (a worker's job search home, an employer's dashboard)."""
        return navigation.home_url(self.request.user)


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes calls this when an (account, address) pair has failed too often."""
    return render(
        request,
        "accounts/login.html",
        {
            "form": LoginForm(request),
            "lockout_message": _(
                "该账号在本设备上连续输错密码%(n)s次，请%(m)s分钟后再试，或通过短信验证码找回密码。"
            )
            % {"n": settings.AXES_FAILURE_LIMIT, "m": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        },
        status=429,
    )


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            form.is_valid()
            _send_code(request, form, CodePurpose.RESET_PASSWORD)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.password_reset(
                    phone=data["phone"],
                    code=data["code"],
                    new_password=data["new_password1"],
                    request=request,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("密码已重置，请用新密码登录。"))
                return redirect("accounts:login")
    status = 400 if request.method == "POST" and form.errors else 200
    # No word on a failed SMS here: only a registered number is texted, so it would tell which are (ADR 0014).
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"scope_unit": user.scope_unit_id})
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            user=user, actor=user, scope_unit=form.cleaned_data["scope_unit"], request=request
        )
        messages.success(request, _("已保存。"))
        return redirect("accounts:profile")
    context = {
        "form": form,
        "organizations": user.organizations.all(),
        "roles": user.role_grants.select_related("scope_unit"),
        "consents": user.consents.select_related("notice"),
        "wechat_binding": WeChatBinding.objects.filter(user=user).first(),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def wechat(request):
    """微信绑定: the state of the binding, a link to bind, a button to unbind."""
    binding = WeChatBinding.objects.filter(user=request.user).first()
    if request.method == "POST" and request.POST.get("action") == "unbind":
        services.wechat_unbind(user=request.user, actor=request.user, request=request)
        messages.success(request, _("已解除微信绑定，通知改用短信和站内消息。"))
        return redirect("accounts:wechat")
    context = {"binding": binding, "available": core_wechat.configured()}
    return render(request, "accounts/wechat.html", context)


@login_required
@require_http_methods(["GET"])
def wechat_authorize(request):
    """Off to WeChat's authorisation page (a link, not a form: the page is another site, and a form may post
    only here). Nothing is bound until the callback brings back this session's state."""
    redirect_uri = request.build_absolute_uri(reverse("accounts:wechat_callback"))
    try:
        url = services.wechat_bind_start(request=request, redirect_uri=redirect_uri)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:wechat")
    return redirect(url)


@login_required
@require_http_methods(["GET"])
def wechat_callback(request):
    """WeChat sends the person back here with ``code`` and ``state``."""
    try:
        services.wechat_bind_complete(
            user=request.user,
            request=request,
            code=request.GET.get("code", "")[:128],
            state=request.GET.get("state", "")[:128],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("微信已绑定，通知会发到您的微信。"))
    return redirect("accounts:wechat")


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    """站内消息: every notification the person was sent, newest first; mark one or all read."""
    if request.method == "POST":
        if request.POST.get("action") == "read_all":
            core_services.inbox_mark_read(user=request.user)
            messages.success(request, _("已全部标为已读。"))
        else:
            try:
                message_id = int(request.POST.get("message", ""))
            except ValueError:
                message_id = None
            if message_id is not None:
                core_services.inbox_mark_read(user=request.user, message_ids=[message_id])
        return redirect(request.get_full_path())
    page = Paginator(core_selectors.inbox_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "accounts/inbox.html", {"page": page})


@login_required
def export_data(request):
    data = services.user_export_data(user=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_anonymize(user=request.user, actor=request.user, request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            logout(request)
            messages.success(request, _("账号已注销，您的个人信息已删除。"))
            return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})


def privacy_notice(request):
    return render(request, "accounts/privacy.html", {"notice": services.current_privacy_notice()})


# --- counter-managed accounts (ADR 0019) ----------------------------------------------------------------


def _require_counter(request) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not keeps_counter_accounts(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def counter_create(request):
    """Counter staff open an account for a worker without a phone: ID card checked in person, the signed
    paper notice scanned and attached; then the worker card is printed."""
    _require_counter(request)
    notice = services.current_privacy_notice()
    initial = {"notice_version": notice.version if notice else "", "request_key": uuid.uuid4().hex}
    form = CounterAccountForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worker = services.counter_account_create(
                actor=request.user,
                real_name=data["real_name"],
                id_number=data["id_number"],
                scope_unit=data["scope_unit"],
                id_checked=data["id_checked"],
                notice_version=data["notice_version"],
                consent_scan=data.get("consent_scan"),
                relative_phone=data.get("relative_phone", ""),
                relative_relation=data.get("relative_relation", ""),
                request_key=data.get("request_key", ""),
                request=request,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            card_pass_remember(request, worker.pk)
            messages.success(request, _("已开户，请打印服务卡交给劳动者。"))
            return redirect("accounts:counter_card", pk=worker.counter_account.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "accounts/counter_create.html", {"form": form, "notice": notice}, status=status)


@login_required
def counter_card(request, pk: int):
    """The printable worker card: the name masked, the card number with its check digit, its QR code."""
    account = selectors.counter_account_for(actor=request.user, pk=pk, request=request)
    if account is None:
        raise Http404
    title = _("零工服务卡 %(n)s") % {"n": account.card_display}
    context = {
        "account": account,
        "worker_name": mask_name(account.user.real_name),
        "qr_svg": card_qr_svg(account.card_number, title=title),
    }
    return render(request, "accounts/counter_card.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def counter_upgrade(request, pk: int):
    """At the counter: the worker has a phone now; the same account gets it as its login (SMS-confirmed)."""
    account = selectors.counter_account_for(actor=request.user, pk=pk, request=request)
    if account is None:
        raise Http404
    form = UpgradeForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            form.is_valid()
            _send_code(request, form, CodePurpose.UPGRADE)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.counter_account_upgrade(
                    worker=account.user,
                    actor=request.user,
                    phone=data["phone"],
                    code=data.get("code", ""),
                    password=data.get("password", ""),
                    request=request,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已绑定本人手机号，劳动者可以用短信验证码登录，原有记录都在。"))
                return redirect("jobs:counter")
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"form": form, "account": account, "worker_name": mask_name(account.user.real_name)}
    return render(request, "accounts/counter_upgrade.html", context, status=status)


@login_required
def consent_scan(request, pk: int):
    """The scan of a signed paper notice, for staff in scope or whoever recorded it; each view is audited."""
    consent = selectors.consent_scan_for(actor=request.user, pk=pk)
    if consent is None:
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditAction.REVEAL,
        obj=consent.user,
        after={"consent_scan": consent.pk},
        reason=_("查看签字告知书扫描件"),
        request=request,
    )
    response = FileResponse(consent.paper_scan.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="consent-{consent.pk}.jpg"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def login_code(request):
    """Log in with an SMS code to one's own number (a worker whose account was kept at the counter, too)."""
    form = CodeLoginForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            form.is_valid()
            _send_code(request, form, CodePurpose.LOGIN)
        elif form.is_valid():
            try:
                user = services.login_by_code(
                    phone=form.cleaned_data["phone"], code=form.cleaned_data.get("code", ""), request=request
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                login(request, user, backend="accounts.backends.RoleBackend")
                return redirect(navigation.home_url(user))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def claim(request):
    """A worker with a worker card binds their own new phone to the account the counter opened (the same
    account: every record stays), then is signed in."""
    form = ClaimForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            form.is_valid()
            _send_code(request, form, CodePurpose.UPGRADE)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                user = services.counter_account_claim(
                    card_number=data["card_number"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    code=data.get("code", ""),
                    password=data.get("password", ""),
                    request=request,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                login(request, user, backend="accounts.backends.RoleBackend")
                messages.success(request, _("已绑定本人手机号，以后可以用该手机号登录，原有记录都在。"))
                return redirect(navigation.home_url(user))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "accounts/claim.html", {"form": form}, status=status)
