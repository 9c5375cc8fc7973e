from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import masking
from core.models import ScopeUnit, TimeStampedModel
from core.scope import CITY, NOWHERE, Scope, ScopedQuerySet

from .choices import CodePurpose, Gender, ReviewFlag, Role
from .storage import private_storage
from .validators import age_on


class UserQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(pk=user.pk)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra):
        user = self.model(phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: logs in by mainland mobile number and password. Roles (worker, employer, staff …) are
    grants, so one person may both work and employ. Real-name data (resident ID) lives here; job-seeker
    and employer registration details live in ``jobs``. A worker without a phone of their own has no
    number (``phone`` is NULL) and a ``CounterAccount``: counters act for them (ADR 0019)."""

    scope_field = "scope_unit"
    personal_fields = {"phone": masking.PHONE, "id_number": masking.ID_NUMBER}

    # The login name: the person's own number, confirmed by SMS. NULL for a counter-managed worker (unique
    # still holds among the numbers that are set: SQL's NULLs are distinct).
    phone = models.CharField(_("手机号码"), max_length=16, unique=True, null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True, null=True, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    id_review_flag = models.CharField(
        _("待核验事项"), max_length=32, choices=ReviewFlag.choices, blank=True, default=ReviewFlag.NONE
    )
    real_name_verified_at = models.DateTimeField(_("实名核验时间"), null=True, blank=True)
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("所属县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    is_staff = models.BooleanField(
        _("可进入管理后台"), default=False, help_text=_("由授予或撤销工作人员角色自动维护。")
    )
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)
    anonymized_at = models.DateTimeField(_("注销（匿名化）时间"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["-date_joined"]
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=["", *Gender.values]), name="user_gender_valid"),
        ]

    def __str__(self) -> str:
        name = masking.mask_name(self.real_name) if self.real_name else ""
        return f"{name} {masking.mask_phone(self.phone)}".strip()

    def get_short_name(self) -> str:
        """What the admin header greets with: never the full number (counter PCs are shared)."""
        return self.real_name or masking.mask_phone(self.phone)

    def get_full_name(self) -> str:
        return self.real_name or masking.mask_phone(self.phone)

    # --- derived facts ---
    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, timezone.localdate()) if self.birth_date else None

    @property
    def is_minor(self) -> bool:
        """Under 18: kept from hazardous occupations (Labor Law art. 64)."""
        return self.age is not None and self.age < 18

    @property
    def masked_phone(self) -> str:
        return masking.mask_phone(self.phone)

    @property
    def is_counter_managed(self) -> bool:
        """No number of their own yet: the account is kept at the counter (ADR 0019)."""
        return not self.phone and hasattr(self, "counter_account")

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)

    @cached_property
    def grants(self) -> tuple[tuple[str, int | None], ...]:
        """(role, scope unit id) of each role grant, read once per request: the authentication backend folds
        them into the query that loads the user (``packed_grants``), else one query here."""
        if not self.pk:
            return ()
        if self.__dict__.pop("_grants_packed", False):
            return unpack_grants(self.__dict__.pop("packed_grants", None))
        return tuple(self.role_grants.values_list("role", "scope_unit_id"))

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(role for role, _unit in self.grants)

    def forget_grants(self) -> None:
        """After a grant changes: the next question reads them again."""
        for name in ("grants", "_scope_cache", "_role_perm_cache", "_perm_cache"):
            self.__dict__.pop(name, None)

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    def get_scope(self) -> Scope:
        """The staff scope: the whole city for city staff, city auditors and superusers; the bound units
        for county staff and county auditors; nowhere for everyone else (they see what they own)."""
        if not self.is_active:
            return NOWHERE
        if self.is_superuser:
            return CITY
        cached = getattr(self, "_scope_cache", None)
        if cached is not None:
            return cached
        units: set[int] = set()
        scope = NOWHERE
        for role, unit_id in self.grants:
            if role not in (Role.COUNTY_STAFF, Role.CITY_STAFF, Role.AUDITOR):
                continue
            if unit_id is None:
                scope = CITY
                break
            units.add(unit_id)
        else:
            scope = Scope(unit_ids=frozenset(units)) if units else NOWHERE
        self._scope_cache = scope
        return scope


def packed_grants_expression():
    """A subquery giving a user's grants as "role:unit,role:" text (for ``User.grants``)."""
    from django.db.models import CharField, OuterRef, Subquery, Value
    from django.db.models.functions import Cast, Coalesce, Concat

    from core.db import GroupConcat

    grant = Concat("role", Value(":"), Coalesce(Cast("scope_unit_id", CharField()), Value("")))
    rows = (
        RoleGrant.objects.filter(user_id=OuterRef("pk"))
        .order_by()
        .values("user_id")
        .annotate(packed=GroupConcat(grant))
        .values("packed")
    )
    return Subquery(rows, output_field=CharField())


def unpack_grants(packed: str | None) -> tuple[tuple[str, int | None], ...]:
    if not packed:
        return ()
    out = []
    for item in packed.split(","):
        role, _sep, unit = item.partition(":")
        out.append((role, int(unit) if unit else None))
    return tuple(sorted(out))


class RoleGrant(TimeStampedModel):
    """One role held by one person. Staff roles carry their scope: county staff one scope unit, city staff
    the whole city (no unit), auditors either. Market operators are bound to their market in ``markets``."""

    scope_field = "scope_unit"

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("管辖单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("授予人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="rolegrant_user_role_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="rolegrant_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.COUNTY_STAFF) | Q(scope_unit__isnull=False),
                name="rolegrant_county_staff_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.CITY_STAFF) | Q(scope_unit__isnull=True),
                name="rolegrant_city_staff_no_unit",
            ),
        ]

    def __str__(self) -> str:
        unit = f" · {self.scope_unit}" if self.scope_unit_id else ""
        return f"{self.get_role_display()}{unit}"


class Organization(TimeStampedModel):
    """An employing organization (company, institution, HR agency) identified by its unified social credit
    code. Its account holder is a user with the employer role."""

    scope_field = "scope_unit"

    name = models.CharField(_("单位名称"), max_length=128)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    uscc_review_flag = models.CharField(
        _("待核验事项"), max_length=32, choices=ReviewFlag.choices, blank=True, default=ReviewFlag.NONE
    )
    contact_name = models.CharField(_("联系人"), max_length=64)
    owner = models.ForeignKey(
        User, verbose_name=_("账号持有人"), on_delete=models.PROTECT, related_name="organizations"
    )
    scope_unit = models.ForeignKey(ScopeUnit, verbose_name=_("所属县（市、区）"), on_delete=models.PROTECT)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("用工单位")
        verbose_name_plural = _("用工单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def hash_secret(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class PhoneCode(models.Model):
    """A one-time SMS code: stored hashed, expires, single use, rate-limited per number and address."""

    phone = models.CharField(_("手机号码"), max_length=16, db_index=True)
    purpose = models.CharField(_("用途"), max_length=32, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The code's SMS (ADR 0013): whether it was delivered decides when the person may ask again.
    delivery = models.OneToOneField(
        "core.MessageDelivery",
        verbose_name=_("短信投递"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone", "purpose", "created_at"], name="phonecode_lookup")]

    def __str__(self) -> str:
        return f"{masking.mask_phone(self.phone)} {self.get_purpose_display()}"

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, hash_secret(f"{self.phone}:{self.purpose}:{code}"))


class PrivacyNotice(models.Model):
    """A version of the privacy notice (个人信息保护告知书) that people consent to at registration."""

    version = models.CharField(_("版本"), max_length=16, unique=True)
    title = models.CharField(_("标题"), max_length=128)
    body = models.TextField(_("正文"))
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("隐私告知")
        verbose_name_plural = _("隐私告知")
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def title_display(self) -> str:
        return gettext(self.title)

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs in the active language where a translation exists (``accounts.notices``)."""
        return [gettext(line) for line in self.body.splitlines() if line.strip()]


class Consent(models.Model):
    """A person's consent to one version of the privacy notice (kept after anonymization: legal record)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="consents")
    notice = models.ForeignKey(PrivacyNotice, verbose_name=_("告知书"), on_delete=models.PROTECT)
    accepted_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # At a counter (ADR 0019): the person signs the printed notice; staff attach the scan (re-encoded JPEG,
    # private storage, served only through a checked view) and are recorded as having taken it.
    paper_scan = models.FileField(
        _("签字告知书扫描件"), upload_to="consents/%Y/%m/", storage=private_storage, blank=True
    )
    recorded_by = models.ForeignKey(
        "User", verbose_name=_("经办人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        constraints = [models.UniqueConstraint(fields=["user", "notice"], name="consent_user_notice_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.notice}"


class CounterAccount(TimeStampedModel):
    """The counter's side of a worker who has no phone of their own (ADR 0019): counter staff checked the
    resident ID card in person and keep the account; the printed worker card carries ``card_number``, which
    any counter in the city types or scans to serve the worker. A relative's number may be kept as a contact
    (never a login, never unique). The row stays when the worker later gets a phone (``upgraded_at``): same
    account, same history, and the card keeps working."""

    scope_field = "user__scope_unit"
    personal_fields = {"relative_phone": masking.PHONE}

    user = models.OneToOneField(
        User, verbose_name=_("劳动者"), on_delete=models.CASCADE, related_name="counter_account"
    )
    card_number = models.CharField(_("服务卡号"), max_length=12, unique=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("办理人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    id_checked_at = models.DateTimeField(_("身份证当面核验时间"))
    relative_phone = models.CharField(_("亲属联系电话"), max_length=16, blank=True)
    relative_relation = models.CharField(_("与劳动者关系"), max_length=16, blank=True)
    card_issued_at = models.DateTimeField(_("制卡时间"), default=timezone.now)
    upgraded_at = models.DateTimeField(_("转为手机号账号时间"), null=True, blank=True)
    upgraded_by = models.ForeignKey(
        User, verbose_name=_("转换办理人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The create form's one-time key: a resubmitted form returns the account it made (no second one).
    request_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务台代管账号")
        verbose_name_plural = _("服务台代管账号")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(relative_phone="") | Q(relative_relation=""),
                name="counteraccount_relation_only_with_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"{masking.mask_name(self.user.real_name)} · {self.card_display}"

    @property
    def card_display(self) -> str:
        """The card number in groups of four for reading aloud and typing (1234 5678 9)."""
        n = self.card_number
        return " ".join(n[i : i + 4] for i in range(0, len(n), 4))

    @property
    def masked_relative_phone(self) -> str:
        return masking.mask_phone(self.relative_phone)


class ApiClient(TimeStampedModel):
    """A county office system that pulls data through the API with a token bound to one scope unit, or the
    city's own system with a token for the whole city (no unit). The token is shown once at issue, stored as
    an HMAC, expires, and is revoked by city staff."""

    scope_field = "scope_unit"

    name = models.CharField(_("系统名称"), max_length=128)
    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("管辖单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("空为全市。"),
    )
    token_prefix = models.CharField(_("令牌前缀"), max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("签发人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_by = models.ForeignKey(
        User, verbose_name=_("吊销人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope_unit if self.scope_unit_id else gettext('全市')})"

    @property
    def is_city_wide(self) -> bool:
        """A token for the whole city: it reads every unit's records and the city's own figures."""
        return self.scope_unit_id is None

    @property
    def county_code(self) -> str | None:
        """The bound unit's code, or None for a city-wide token."""
        return self.scope_unit.code if self.scope_unit_id else None

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class WeChatBinding(models.Model):
    """A person's openid on the city's WeChat official account, learnt through web authorisation
    (snsapi_base, ADR 0017): subscription notifications go to it. One account per openid and one openid
    per account; unbinding deletes the row (and cancels messages still waiting for it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="wechat"
    )
    app_id = models.CharField(_("公众号 AppID"), max_length=32)
    openid = models.CharField(_("OpenID"), max_length=64, unique=True)
    bound_at = models.DateTimeField(_("绑定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("微信绑定")
        verbose_name_plural = _("微信绑定")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.openid[:6]}…"
