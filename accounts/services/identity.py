"""Services that write identity data. Each validates and checks access first, then writes in one
transaction with its audit row."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record, changed, snapshot
from core.choices import AuditAction, DeliveryStatus, MessageChannel
from core.errors import DomainError, NotPermitted, RateLimited
from core.http import client_ip
from core.masking import mask_id_number, mask_phone
from core.models import ScopeUnit
from core.notifications import delivered_or_in_flight, message_cancel, message_queue

from ..choices import STAFF_ROLES, AccountType, CodePurpose, Role
from ..models import (
    ApiClient,
    Consent,
    Organization,
    PhoneCode,
    PrivacyNotice,
    RoleGrant,
    User,
    WeChatBinding,
    hash_secret,
)
from ..validators import check_uscc, check_worker_id, normalize_phone

# ---------------------------------------------------------------------------------------------------------
# One-time SMS codes
# ---------------------------------------------------------------------------------------------------------


def _fail_key(phone: str, purpose: str) -> str:
    return f"smscode:fail:{purpose}:{phone}"


def phone_code_send(*, phone: str, purpose: str, request=None) -> PhoneCode:
    """Send a 6-digit code. At most one a minute and ten a day per number, twenty an hour per address.

    The minute counts codes that were delivered or are on their way (ADR 0013): when the last one could
    not be sent (the broker or the SMS provider was down) the person may ask again at once, and the new code
    cancels the old one's message, so only the code that works arrives. The day does not count codes whose
    message was cancelled or failed."""
    phone = normalize_phone(phone)
    now = timezone.now()
    ip = client_ip(request)
    recent = PhoneCode.objects.filter(phone=phone, purpose=purpose)
    reached = recent.filter(Q(delivery__isnull=True) | delivered_or_in_flight("delivery__"))
    if reached.filter(created_at__gt=now - timedelta(seconds=settings.LINGONG_SMS_CODE_INTERVAL)).exists():
        raise RateLimited(_("验证码已发送，请%(s)s秒后再获取。") % {"s": settings.LINGONG_SMS_CODE_INTERVAL})
    today = recent.filter(created_at__gt=now - timedelta(days=1)).exclude(
        delivery__status__in=[DeliveryStatus.CANCELLED, DeliveryStatus.FAILED]
    )
    if today.count() >= settings.LINGONG_SMS_CODE_DAILY_LIMIT:
        raise RateLimited(_("该号码今天获取验证码次数过多，请明天再试。"))
    if ip and PhoneCode.objects.filter(ip_address=ip, created_at__gt=now - timedelta(hours=1)).count() >= 20:
        raise RateLimited()
    if (
        purpose in (CodePurpose.RESET_PASSWORD, CodePurpose.LOGIN)
        and not User.objects.filter(phone=phone, is_active=True).exists()
    ):
        # Say nothing that tells whether the number is registered: no code is sent, no error shown.
        return PhoneCode(phone=phone, purpose=purpose)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # A new code replaces older unused ones, and their messages still waiting are not sent.
        unused = recent.filter(used_at__isnull=True)
        message_cancel(deliveries=list(unused.exclude(delivery=None).values_list("delivery_id", flat=True)))
        unused.update(used_at=now)
        record = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=hash_secret(f"{phone}:{purpose}:{code}"),
            expires_at=now + timedelta(seconds=settings.LINGONG_SMS_CODE_TTL),
            ip_address=ip,
        )
        cache.delete(_fail_key(phone, purpose))
        body = _("【零工市场】您的验证码是%(code)s，%(m)s分钟内有效。请勿告诉他人。") % {
            "code": code,
            "m": settings.LINGONG_SMS_CODE_TTL // 60,
        }
        record.delivery = message_queue(
            channel=MessageChannel.SMS,
            to=phone,
            body=body,
            key=f"smscode:{record.pk}",
            sensitive=True,
            template="login_code",
            params={"code": code, "minutes": str(settings.LINGONG_SMS_CODE_TTL // 60)},
        )
        record.save(update_fields=["delivery"])
    return record


PHONE_CODE_KEEP = timedelta(days=2)  # past the daily limit's window: nothing reads an older code


def phone_code_purge(*, now=None) -> int:
    """Delete SMS codes older than the rate limits look back (they hold a mobile number and nothing needs
    them any more). Returns how many were deleted."""
    cutoff = (now or timezone.now()) - PHONE_CODE_KEEP
    count, _ = PhoneCode.objects.filter(created_at__lt=cutoff).delete()
    return count


def phone_code_check(*, phone: str, purpose: str, code: str) -> PhoneCode:
    """Check a code without using it up, or raise DomainError on the ``code`` field (five wrong tries void
    it). Returns the matching row (locked inside a transaction). A form that must prove the number is the
    person's before it says anything about the number (registration) checks first and consumes at the end."""
    err = lambda msg: DomainError(msg, code="invalid_code", fields={"code": [msg]})  # noqa: E731
    fail_key = _fail_key(phone, purpose)
    if (cache.get(fail_key) or 0) >= settings.LINGONG_SMS_CODE_MAX_ATTEMPTS:
        raise err(_("验证码错误次数过多，请重新获取。"))
    now = timezone.now()
    codes = PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True)
    if transaction.get_connection().in_atomic_block:
        codes = codes.select_for_update()
    record = codes.order_by("-created_at").first()
    if record is None or record.expires_at <= now:
        raise err(_("验证码已过期或未获取，请重新获取。"))
    if not record.matches((code or "").strip()):
        # Counted in the cache, which a rolled-back transaction does not undo.
        cache.add(fail_key, 0, settings.LINGONG_SMS_CODE_TTL)
        cache.incr(fail_key)
        raise err(_("验证码不正确。"))
    return record


def phone_code_consume(*, phone: str, purpose: str, code: str) -> None:
    """Check and use up a code, or raise DomainError on the ``code`` field. Five wrong tries void it."""
    record = phone_code_check(phone=phone, purpose=purpose, code=code)
    record.used_at = timezone.now()
    record.save(update_fields=["used_at"])
    cache.delete(_fail_key(phone, purpose))


# ---------------------------------------------------------------------------------------------------------
# Registration, password reset, profile, export, deletion
# ---------------------------------------------------------------------------------------------------------


DUPLICATE_ID_ONLINE = gettext_lazy(
    "该身份证号码已有账号，不能重复注册。是您本人的：请用原手机号码登录（可找回密码）；"
    "如果是在零工市场服务台办理的，请携带身份证和服务卡到任一服务台绑定本人手机号，原有记录都会保留。"
)


def current_privacy_notice() -> PrivacyNotice | None:
    return PrivacyNotice.objects.filter(published_at__lte=timezone.now()).order_by("-published_at").first()


def user_register(
    *,
    phone: str,
    code: str,
    password: str,
    account_type: str,
    real_name: str,
    scope_unit: ScopeUnit,
    id_number: str = "",
    org_name: str = "",
    uscc: str = "",
    notice_version: str,
    request=None,
) -> User:
    """Register a worker or an employer: number confirmed by SMS code, real name checked, consent recorded.
    Every check comes before any write; a failure saves nothing.

    Nothing is said about whether a number or an ID is registered until the SMS code proves the number is
    the registrant's (no enumeration without a phone in hand: each try costs a code on a number one owns,
    ten a day). A resident ID already on record is refused without saying whose, and the refusal is
    audited (ADR 0014)."""
    errors: dict[str, list[str]] = {}

    def field_error(name, exc):
        errors.setdefault(name, []).extend(exc.messages if isinstance(exc, ValidationError) else [str(exc)])

    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        field_error("phone", exc)
        raise DomainError(_("提交的内容有误，请检查。"), code="invalid", fields=errors) from exc
    phone_code_check(phone=phone, purpose=CodePurpose.REGISTER, code=code)
    if User.objects.filter(phone=phone).exists():
        errors["phone"] = [_("该手机号码已注册，请直接登录或找回密码。")]
    rid = None
    if account_type in (AccountType.WORKER, AccountType.EMPLOYER_PERSON) or id_number:
        try:
            rid = check_worker_id(id_number)
        except ValidationError as exc:
            field_error("id_number", exc)
        if rid and User.objects.filter(id_number=rid.number).exists():
            # One answer for both kinds of account (a phone account, a counter-managed one): telling them
            # apart would say more about the ID than its being taken (ADR 0014, 0019).
            errors["id_number"] = [DUPLICATE_ID_ONLINE]
            audit_record(
                actor=None,
                action=AuditAction.REVEAL,
                label=f"register:{mask_phone(phone)}",
                after={"lookup": "id_number", "value": mask_id_number(rid.number), "found": True},
                reason=_("注册时填写的身份证号码已有账号"),
                request=request,
            )
    credit = None
    if account_type == AccountType.EMPLOYER_ORG:
        if not org_name.strip():
            errors["org_name"] = [_("请填写单位名称。")]
        try:
            credit = check_uscc(uscc)
        except ValidationError as exc:
            field_error("uscc", exc)
        if credit and Organization.objects.filter(uscc=credit.number).exists():
            errors["uscc"] = [_("该统一社会信用代码已注册。")]
    if not real_name.strip():
        errors["real_name"] = [_("请填写姓名。")]
    notice = current_privacy_notice()
    if notice is None or notice.version != notice_version:
        errors["consent"] = [_("请阅读并同意最新的个人信息保护告知书。")]
    try:
        validate_password(password, User(phone=phone if isinstance(phone, str) else ""))
    except ValidationError as exc:
        field_error("password", exc)
    if errors:
        raise DomainError(_("提交的内容有误，请检查。"), code="invalid", fields=errors)
    return _user_create(
        phone=phone,
        code=code,
        password=password,
        account_type=account_type,
        real_name=real_name,
        scope_unit=scope_unit,
        rid=rid,
        org_name=org_name,
        credit=credit,
        notice=notice,
        request=request,
    )


@transaction.atomic
def _user_create(
    *, phone, code, password, account_type, real_name, scope_unit, rid, org_name, credit, notice, request
) -> User:
    """The writes of a registration, checked above: the code used up, the user, the role, the organization,
    the consent and the audit row, together or not at all."""
    phone_code_consume(phone=phone, purpose=CodePurpose.REGISTER, code=code)
    now = timezone.now()
    user = User(
        phone=phone,
        phone_verified_at=now,
        real_name=real_name.strip(),
        scope_unit=scope_unit,
    )
    if rid:
        user.id_number, user.birth_date, user.gender = rid.number, rid.birth_date, rid.gender
        user.id_review_flag = rid.flag
        user.real_name_verified_at = now
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration of the same number or ID
        raise DomainError(
            _("该手机号码或身份证号码已注册。"), code="duplicate", fields={"phone": [_("已注册。")]}
        ) from exc
    role = Role.WORKER if account_type == AccountType.WORKER else Role.EMPLOYER
    RoleGrant.objects.create(user=user, role=role)
    if credit:
        Organization.objects.create(
            name=org_name.strip(),
            uscc=credit.number,
            uscc_review_flag=credit.flag,
            contact_name=user.real_name,
            owner=user,
            scope_unit=scope_unit,
        )
    Consent.objects.create(user=user, notice=notice, ip_address=client_ip(request))
    audit_record(actor=user, action=AuditAction.CREATE, obj=user, after=snapshot(user), request=request)
    return user


@transaction.atomic
def password_reset(*, phone: str, code: str, new_password: str, request=None) -> User:
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid", fields={"phone": exc.messages}) from exc
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        # Same answer as a wrong code: do not tell whether the number is registered.
        raise DomainError(_("验证码不正确。"), code="invalid_code", fields={"code": [_("验证码不正确。")]})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid", fields={"new_password1": exc.messages}) from exc
    phone_code_consume(phone=phone, purpose=CodePurpose.RESET_PASSWORD, code=code)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action=AuditAction.UPDATE, obj=user, after={"password": "***"}, request=request)
    return user


@transaction.atomic
def user_update_profile(*, user: User, actor: User, scope_unit: ScopeUnit, request=None) -> User:
    before = snapshot(user, ["scope_unit"])
    user.scope_unit = scope_unit
    user.save(update_fields=["scope_unit"])
    b, a = changed(before, snapshot(user, ["scope_unit"]))
    if a:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, before=b, after=a, request=request)
    return user


def user_export_data(*, user: User) -> dict:
    """Everything the portal holds about a person, for them to download (PIPL art. 45)."""
    return {
        "account": {
            "phone": user.phone,
            "real_name": user.real_name,
            "id_number": user.id_number,
            "birth_date": user.birth_date.isoformat() if user.birth_date else None,
            "gender": user.gender,
            "county": user.scope_unit.name if user.scope_unit_id else None,
            "date_joined": user.date_joined.isoformat(),
            "roles": sorted(user.role_set),
        },
        "organizations": [
            {"name": o.name, "uscc": o.uscc, "contact_name": o.contact_name} for o in user.organizations.all()
        ],
        "consents": [
            {"notice": c.notice.version, "accepted_at": c.accepted_at.isoformat()}
            for c in user.consents.select_related("notice")
        ],
    }


@transaction.atomic
def user_anonymize(*, user: User, actor: User, request=None) -> User:
    """Delete a person at their request: identifying data is removed; gender, birth year, county and the
    records the law requires (consents, audit rows, later work and pay records) stay for statistics."""
    if user.anonymized_at:
        return user
    if user.is_superuser or (user.role_set & STAFF_ROLES):
        raise NotPermitted(_("工作人员账号请联系市级管理员注销。"))
    before = snapshot(user)
    user.phone = f"x{user.pk:010d}"
    user.real_name = ""
    user.id_number = None
    if user.birth_date:
        user.birth_date = user.birth_date.replace(month=1, day=1)
    user.is_active = False
    user.anonymized_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.organizations.update(contact_name=_("已注销"))
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=user,
        before=before,
        after={"anonymized": True},
        reason=_("本人申请注销"),
        request=request,
    )
    return user


# ---------------------------------------------------------------------------------------------------------
# Roles and API clients (city staff)
# ---------------------------------------------------------------------------------------------------------


def _require_city_staff(actor) -> None:
    if not (actor.is_superuser or actor.has_role(Role.CITY_STAFF)):
        raise NotPermitted()


@transaction.atomic
def role_grant(
    *, actor: User, user: User, role: str, scope_unit: ScopeUnit | None = None, request=None
) -> RoleGrant:
    if role in STAFF_ROLES:
        _require_city_staff(actor)
    if role == Role.COUNTY_STAFF and scope_unit is None:
        raise DomainError(_("县级工作人员须指定管辖单位。"), fields={"scope_unit": [_("必填。")]})
    if role == Role.CITY_STAFF:
        scope_unit = None
    grant, created = RoleGrant.objects.update_or_create(
        user=user, role=role, defaults={"scope_unit": scope_unit, "granted_by": actor}
    )
    if role in STAFF_ROLES and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    user.forget_grants()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=grant,
        after={"user": user.pk, "role": role, "scope_unit": scope_unit.pk if scope_unit else None},
        request=request,
        scope_unit_id=scope_unit.pk if scope_unit else user.scope_unit_id,
    )
    return grant


@transaction.atomic
def role_revoke(*, actor: User, grant: RoleGrant, request=None) -> None:
    if grant.role in STAFF_ROLES:
        _require_city_staff(actor)
    user = grant.user
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=grant,
        before={"user": user.pk, "role": grant.role, "scope_unit": grant.scope_unit_id},
        request=request,
        scope_unit_id=grant.scope_unit_id or user.scope_unit_id,
    )
    grant.delete()
    if not user.role_grants.filter(role__in=STAFF_ROLES).exists() and not user.is_superuser:
        User.objects.filter(pk=user.pk).update(is_staff=False)


@transaction.atomic
def api_client_issue(
    *, actor: User, name: str, scope_unit: ScopeUnit | None, days: int | None = None, request=None
) -> tuple[ApiClient, str]:
    """Issue a token for a county system (``scope_unit``) or the city's own (``None``: the whole city). The
    raw token is returned once and never stored."""
    _require_city_staff(actor)
    prefix = secrets.token_hex(4)
    raw = f"lg_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient.objects.create(
        name=name,
        scope_unit=scope_unit,
        token_prefix=prefix,
        token_hash=hash_secret(raw),
        expires_at=timezone.now() + timedelta(days=days or settings.LINGONG_API_TOKEN_DAYS),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=client,
        after=snapshot(client, ["name", "scope_unit", "expires_at"]),
        request=request,
    )
    return client, raw


@transaction.atomic
def api_client_revoke(*, actor: User, client: ApiClient, reason: str = "", request=None) -> ApiClient:
    _require_city_staff(actor)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.revoked_by = actor
        client.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=client,
            after={"revoked": True},
            reason=reason,
            request=request,
        )
    return client


# ---------------------------------------------------------------------------------------------------------
# WeChat binding (snsapi_base web authorisation, ADR 0017)
# ---------------------------------------------------------------------------------------------------------

WECHAT_STATE_KEY = "wechat_bind_state"


def wechat_bind_start(*, request, redirect_uri: str) -> str:
    """The authorize URL to send the person to: a fresh random ``state`` kept in their session, so only
    the callback of the browser that started it (and only once) can bind."""
    from core import wechat

    if not wechat.configured():
        raise DomainError(_("微信绑定暂未开通。"), code="wechat_unavailable")
    state = secrets.token_urlsafe(24)
    request.session[WECHAT_STATE_KEY] = state
    return wechat.authorize_url(redirect_uri=redirect_uri, state=state)


def wechat_bind_complete(*, user: User, request, code: str, state: str) -> WeChatBinding:
    """The callback: check ``state`` against the session (constant time, used once), exchange ``code`` for
    the openid and bind it to the person, audited. An openid bound to someone else is refused."""
    from core import wechat
    from core.sms import ProviderRefused
    from core.worker import OutsideError

    expected = request.session.pop(WECHAT_STATE_KEY, "")
    if not (expected and state and secrets.compare_digest(expected, state)):
        raise DomainError(
            _("授权已失效，请重新绑定。"), code="invalid_state", fields={"state": [_("无效。")]}
        )
    if not code:
        raise DomainError(_("您没有同意授权，未绑定。"), code="invalid_code", fields={"code": [_("必填。")]})
    try:
        openid = wechat.openid_for_code(code)
    except (ProviderRefused, OutsideError) as exc:
        raise DomainError(_("微信授权失败，请稍后重试。"), code="wechat_failed") from exc
    with transaction.atomic():
        other = WeChatBinding.objects.select_for_update().filter(openid=openid).exclude(user=user).first()
        if other is not None:
            raise DomainError(_("这个微信已绑定其他账号，请先在那个账号解除绑定。"), code="wechat_taken")
        binding, created = WeChatBinding.objects.update_or_create(
            user=user,
            defaults={"openid": openid, "app_id": settings.LINGONG_WECHAT_APP_ID, "bound_at": timezone.now()},
        )
        audit_record(
            actor=user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=binding,
            after={"wechat": "bound"},
            request=request,
            scope_unit_id=user.scope_unit_id,
        )
    return binding


@transaction.atomic
def wechat_unbind(*, user: User, actor: User, request=None) -> bool:
    """Unbind the person's WeChat; subscription messages still waiting for it are cancelled (later ones
    fall back to SMS and the inbox). Returns whether there was a binding."""
    from core.models import MessageDelivery

    binding = WeChatBinding.objects.select_for_update().filter(user=user).first()
    if binding is None:
        return False
    waiting = MessageDelivery.objects.filter(
        channel=MessageChannel.WECHAT, recipient=binding.openid, status=DeliveryStatus.PENDING
    ).values_list("pk", flat=True)
    message_cancel(deliveries=list(waiting))
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=binding,
        before={"wechat": "bound"},
        request=request,
        scope_unit_id=user.scope_unit_id,
    )
    binding.delete()
    return True
