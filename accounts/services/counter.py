"""Counter-managed accounts (ADR 0019): workers without a phone of their own, opened by counter staff after
checking the resident ID card in person, served by their worker card at any counter in the city, upgraded
in place to a phone account; and logging in by an SMS code."""

from __future__ import annotations

import hmac
import re

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, NotFound, NotPermitted, RateLimited
from core.http import client_ip
from core.masking import mask_name, mask_phone
from core.models import ScopeUnit
from core.services import personal_lookup

from ..cards import compact, is_card_number, new_card_number
from ..choices import CodePurpose, Role
from ..models import Consent, CounterAccount, RoleGrant, User
from ..permissions import keeps_counter_accounts
from ..scans import reencode_scan
from ..validators import check_worker_id, normalize_phone
from .identity import current_privacy_notice, phone_code_check, phone_code_consume


def _invalid(errors: dict) -> DomainError:
    return DomainError(_("提交的内容有误，请检查。"), code="invalid", fields=errors)


def _existing_account_hint(existing: User) -> str:
    """What counter staff, who hold the person's ID card, are told about the account the ID already has:
    enough to find it (masked name, masked number or the card's last digits), nothing more."""
    card = getattr(existing, "counter_account", None)
    if existing.phone and not existing.phone.startswith("x"):
        return _(
            "该身份证号码已有账号（%(name)s，手机号 %(phone)s）。请在服务台输入该手机号为其办理，不要重复开户。"
        ) % {"name": mask_name(existing.real_name), "phone": mask_phone(existing.phone)}
    if card is not None:
        return _(
            "该身份证号码已有服务台代管账号（%(name)s，服务卡尾号 %(tail)s）。请输入服务卡号为其办理；卡片遗失请联系县级人社部门补卡。"
        ) % {"name": mask_name(existing.real_name), "tail": card.card_number[-4:]}
    return _("该身份证号码已有账号，不能重复开户。请联系县级人社部门核实。")


def counter_account_create(
    *,
    actor: User,
    real_name: str,
    id_number: str,
    scope_unit: ScopeUnit,
    id_checked: bool,
    notice_version: str,
    consent_scan,
    relative_phone: str = "",
    relative_relation: str = "",
    request_key: str = "",
    request=None,
) -> User:
    """Counter staff open an account for a worker without a phone of their own, after checking the resident
    ID card in person: no login number (a relative's number may be kept as a contact, not unique, never a
    login), consent as the signed paper notice whose scan is attached, a worker card number. A resident ID
    that already has an account of either kind is refused, pointing to that account (the staff member holds
    the ID card; the lookup is audited and rate-limited like every lookup by a whole ID). A resubmitted form
    (same ``request_key``) returns the account it made."""
    if not keeps_counter_accounts(actor):
        raise NotPermitted(_("只有县级人社部门或零工市场服务台的工作人员可以代办开户。"))
    if request_key:
        made = CounterAccount.objects.filter(request_key=request_key, created_by=actor).first()
        if made is not None:
            return made.user
    errors: dict[str, list[str]] = {}
    real_name = (real_name or "").strip()
    if not real_name:
        errors["real_name"] = [_("请填写姓名（与身份证一致）。")]
    if not id_checked:
        errors["id_checked"] = [_("请当面查验身份证原件后勾选。")]
    rid = None
    try:
        rid = check_worker_id(id_number)
    except ValidationError as exc:
        errors["id_number"] = list(exc.messages)
    if rid is not None:
        existing = User.objects.select_related("counter_account").filter(id_number=rid.number).first()
        personal_lookup(
            actor=actor,
            kind="id_number",
            value=rid.number,
            found=existing is not None,
            reason=_("服务台开户前按身份证号码查重"),
            request=request,
        )
        if existing is not None:
            errors["id_number"] = [_existing_account_hint(existing)]
    relative_phone = (relative_phone or "").strip()
    relative_relation = (relative_relation or "").strip()
    if relative_phone:
        try:
            relative_phone = normalize_phone(relative_phone)
        except ValidationError as exc:
            errors["relative_phone"] = list(exc.messages)
        if not relative_relation:
            errors["relative_relation"] = [_("请填写该号码的机主与劳动者的关系。")]
    elif relative_relation:
        errors["relative_phone"] = [_("填写了关系，请同时填写亲属的联系电话。")]
    notice = current_privacy_notice()
    if notice is None or notice.version != notice_version:
        errors["notice_version"] = [_("告知书已更新，请打印最新版本请劳动者签字。")]
    scan = None
    try:
        scan = reencode_scan(consent_scan)
    except ValidationError as exc:
        errors["consent_scan"] = list(exc.messages)
    if errors:
        raise _invalid(errors)
    return _counter_account_write(
        actor=actor,
        real_name=real_name,
        rid=rid,
        scope_unit=scope_unit,
        notice=notice,
        scan=scan,
        relative_phone=relative_phone,
        relative_relation=relative_relation,
        request_key=request_key or None,
        request=request,
    )


@transaction.atomic
def _counter_account_write(
    *,
    actor,
    real_name,
    rid,
    scope_unit,
    notice,
    scan,
    relative_phone,
    relative_relation,
    request_key,
    request,
) -> User:
    now = timezone.now()
    user = User(
        phone=None,
        real_name=real_name,
        id_number=rid.number,
        birth_date=rid.birth_date,
        gender=rid.gender,
        id_review_flag=rid.flag,
        real_name_verified_at=now,
        scope_unit=scope_unit,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same ID opened at two counters at once
        raise _invalid({"id_number": [_("该身份证号码已有账号，不能重复开户。")]}) from exc
    RoleGrant.objects.create(user=user, role=Role.WORKER, granted_by=actor)
    for _try in range(5):
        try:
            with transaction.atomic():
                account = CounterAccount.objects.create(
                    user=user,
                    card_number=new_card_number(),
                    created_by=actor,
                    id_checked_at=now,
                    relative_phone=relative_phone,
                    relative_relation=relative_relation,
                    request_key=request_key,
                )
            break
        except IntegrityError:  # a card number drawn twice (1 in 10^8), or a racing resubmission
            if request_key and CounterAccount.objects.filter(request_key=request_key).exists():
                raise _invalid({"id_number": [_("该身份证号码已有账号，不能重复开户。")]}) from None
    else:  # pragma: no cover
        raise DomainError(_("请重试。"), code="retry")
    consent = Consent(user=user, notice=notice, ip_address=client_ip(request), recorded_by=actor)
    consent.paper_scan.save(scan.name, scan, save=False)
    consent.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        after={**snapshot(user), "counter_account": account.pk, "consent": "paper"},
        reason=_("服务台代办开户（当面核验身份证）"),
        on_behalf_of=user,
        request=request,
    )
    return user


def _count_card_lookup(actor) -> None:
    """Card lookups share the hourly limit of lookups by a whole personal value (ADR 0014)."""
    key = f"personal-lookup:{actor.pk}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        count = 1
    if count > settings.LINGONG_PERSONAL_LOOKUP_LIMIT:
        raise RateLimited(_("查找次数过多，请一小时后再试。"))


def card_holder_find(*, actor: User, card_number: str, request=None) -> User:
    """The worker whose card counter staff typed or scanned — any counter in the city serves a card holder,
    whatever their county. Every lookup is an audit row in the holder's county (who, from which counter,
    whether the number matched), and lookups are rate-limited, so the card number is no oracle: a wrong or
    mistyped number answers the same "no such card", and a right one shows only the masked name."""
    if not keeps_counter_accounts(actor):
        raise NotPermitted()
    number = compact(card_number)
    bad = DomainError(
        _("服务卡号不正确，请核对（9位数字）。"),
        code="invalid_card",
        fields={"card_number": [_("卡号不正确。")]},
    )
    if not is_card_number(number):
        raise bad  # a typo caught by the check digit: no lookup made, nothing counted
    _count_card_lookup(actor)
    account = (
        CounterAccount.objects.select_related("user", "user__scope_unit")
        .filter(card_number=number, user__is_active=True, user__anonymized_at__isnull=True)
        .first()
    )
    audit_record(
        actor=actor,
        action=AuditAction.ASSISTED,
        obj=account.user if account else None,
        after={"lookup": "card", "card": "*****" + number[-4:], "found": account is not None},
        reason=_("服务台按服务卡查找劳动者"),
        on_behalf_of=account.user if account else None,
        request=request,
        scope_unit_id=account.user.scope_unit_id if account else None,
    )
    if account is None:
        raise DomainError(
            _("没有找到该服务卡，请核对卡号。"),
            code="card_not_found",
            fields={"card_number": [_("没有找到该服务卡。")]},
        )
    return account.user


def card_access_note(*, actor: User, worker: User, request=None) -> None:
    """An out-of-county counter acting for a card holder: each request is an audit row in the holder's
    county (ADR 0019: any counter may serve them, every access is audited)."""
    audit_record(
        actor=actor,
        action=AuditAction.ASSISTED,
        obj=worker,
        after={"access": "card", "path": getattr(request, "path", "")[:120]},
        reason=_("外县（市、区）服务台为服务卡持有人办理"),
        on_behalf_of=worker,
        request=request,
    )


def counter_account_upgrade(
    *, worker: User, actor: User, phone: str, code: str, password: str = "", request=None
) -> User:
    """The worker now has a phone of their own: the same account gets it as its login (confirmed by an SMS
    code to it), so every application, work order, payment and rating stays theirs. At the counter (counter
    staff, the worker reads out the code) or by the worker themselves. The relative's number stays a contact."""
    errors: dict[str, list[str]] = {}
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise _invalid({"phone": list(exc.messages)}) from exc
    if actor.pk != worker.pk and not keeps_counter_accounts(actor):
        raise NotPermitted()
    with transaction.atomic():
        worker = User.objects.select_for_update().filter(pk=worker.pk, is_active=True).first()
        account = CounterAccount.objects.filter(user=worker).first() if worker else None
        if account is None:
            raise NotFound()
        if worker.phone:
            raise DomainError(_("该账号已绑定手机号，无需再次绑定。"), code="already_upgraded")
        phone_code_check(phone=phone, purpose=CodePurpose.UPGRADE, code=code)
        if User.objects.filter(phone=phone).exists():
            errors["phone"] = [_("该手机号码已是另一个账号的登录号码，请换一个号码，或联系县级人社部门。")]
        if password:
            try:
                validate_password(password, worker)
            except ValidationError as exc:
                errors["password"] = list(exc.messages)
        if errors:
            raise _invalid(errors)
        phone_code_consume(phone=phone, purpose=CodePurpose.UPGRADE, code=code)
        now = timezone.now()
        worker.phone, worker.phone_verified_at = phone, now
        if password:
            worker.set_password(password)
        try:
            with transaction.atomic():
                worker.save(update_fields=["phone", "phone_verified_at", "password"])
        except IntegrityError as exc:
            raise _invalid({"phone": [_("该手机号码已是另一个账号的登录号码。")]}) from exc
        account.upgraded_at, account.upgraded_by = now, actor
        account.save(update_fields=["upgraded_at", "upgraded_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=worker,
            before={"phone": None},
            after={"phone": mask_phone(phone), "counter_account": "upgraded"},
            reason=_("服务台代管账号绑定本人手机号"),
            on_behalf_of=worker if actor.pk != worker.pk else None,
            request=request,
        )
    return worker


@transaction.atomic
def counter_card_reissue(*, account: CounterAccount, actor: User, request=None) -> CounterAccount:
    """A lost card: the account gets a new card number and the old one stops working at once. Staff whose
    scope covers the worker, or whoever opened the account (the worker shows their ID card); 404 for others."""
    if not keeps_counter_accounts(actor):
        raise NotPermitted()
    account = CounterAccount.objects.select_for_update().filter(pk=account.pk).first()
    if account is None or not (
        account.created_by_id == actor.pk
        or CounterAccount.objects.visible_to(actor).filter(pk=account.pk).exists()
    ):
        raise NotFound()
    old_tail = account.card_number[-4:]
    for _try in range(5):
        try:
            with transaction.atomic():
                account.card_number, account.card_issued_at = new_card_number(), timezone.now()
                account.save(update_fields=["card_number", "card_issued_at", "updated_at"])
            break
        except IntegrityError:  # pragma: no cover - a number drawn twice
            continue
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=account,
        before={"card": "*****" + old_tail},
        after={"card": "*****" + account.card_number[-4:]},
        reason=_("补办服务卡（原卡作废）"),
        on_behalf_of=account.user,
        request=request,
    )
    return account


def counter_account_claim(
    *, card_number: str, id_number: str, phone: str, code: str, password: str = "", request=None
) -> User:
    """The worker binds their own new phone online: the SMS code proves the number is theirs (checked first,
    so nothing is said about a card before it is right); the card number and the resident ID together prove
    the account is theirs. A card and ID that do not match answer one message and count as a wrong code (five
    void it), and each try is audited in the holder's county when the card exists."""
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise _invalid({"phone": list(exc.messages)}) from exc
    phone_code_check(phone=phone, purpose=CodePurpose.UPGRADE, code=code)
    mismatch = _invalid({"card_number": [_("服务卡号与身份证号码不符，请核对，或到服务台办理。")]})
    number = compact(card_number)
    account = None
    if is_card_number(number):
        account = CounterAccount.objects.select_related("user").filter(card_number=number).first()
    given = re.sub(r"\s", "", id_number or "").upper()
    matches = bool(
        account
        and account.user.is_active
        and account.user.id_number
        and hmac.compare_digest(account.user.id_number, given)
    )
    if account is not None:
        audit_record(
            actor=None,
            action=AuditAction.REVEAL,
            obj=account.user,
            label=f"claim:{mask_phone(phone)}",
            after={"lookup": "card+id_number", "card": "*****" + number[-4:], "found": matches},
            reason=_("劳动者在线绑定手机号：核对服务卡与身份证"),
            request=request,
        )
    if not matches:
        fail_key = f"smscode:fail:{CodePurpose.UPGRADE}:{phone}"
        cache.add(fail_key, 0, settings.LINGONG_SMS_CODE_TTL)
        cache.incr(fail_key)
        raise mismatch
    return counter_account_upgrade(
        worker=account.user, actor=account.user, phone=phone, code=code, password=password, request=request
    )


def login_by_code(*, phone: str, code: str, request=None) -> User:
    """Log in with an SMS code to one's own number (the login name; never a relative's contact number).
    The answer for an unregistered number is that of a wrong code."""
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise _invalid({"phone": list(exc.messages)}) from exc
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        raise DomainError(_("验证码不正确。"), code="invalid_code", fields={"code": [_("验证码不正确。")]})
    phone_code_consume(phone=phone, purpose=CodePurpose.LOGIN, code=code)
    return user
