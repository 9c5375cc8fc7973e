"""Registration by mobile number and SMS code, password reset, and the person's own data (profile, export,
deletion by anonymization)."""

from __future__ import annotations

import datetime as dt
import json
import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from stdnum.cn import ric

from accounts import services
from accounts.choices import CodePurpose, Gender, ReviewFlag, Role
from accounts.idgen import make_resident_id, make_uscc
from accounts.models import Consent, Organization, PhoneCode, PrivacyNotice, RoleGrant, User
from core.choices import AuditAction
from core.errors import DomainError, RateLimited
from core.masking import mask_id_number
from core.models import AuditLog
from core.notifications import outbox

pytestmark = pytest.mark.django_db

REGISTER_URL = "/accounts/register/"
RESET_URL = "/accounts/password-reset/"
PROFILE_URL = "/accounts/profile/"
EXPORT_URL = "/accounts/profile/export/"
DELETE_URL = "/accounts/profile/delete/"

PHONE = "13812345678"
PASSWORD = "Lg-work-2026"
OLD_PASSWORD = "pass-word-123"  # UserFactory's
NEW_PASSWORD = "New-pass-2026"

WRONG_CODE = "验证码不正确。"
TOO_MANY_TRIES = "验证码错误次数过多，请重新获取。"
EXPIRED_CODE = "验证码已过期或未获取，请重新获取。"


# --- helpers ------------------------------------------------------------------------------------------


def sms_codes(phone: str) -> list[str]:
    """The 6-digit codes texted to ``phone``, oldest first."""
    return [re.search(r"\d{6}", m.body).group() for m in outbox if m.channel == "sms" and m.to == phone]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    day = (
        today.replace(year=today.year - years)
        if (today.month, today.day) != (2, 29)
        else today.replace(year=today.year - years, day=28)
    )
    return day + timedelta(days=days)


def stored_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "grants": RoleGrant.objects.count(),
        "consents": Consent.objects.count(),
        "organizations": Organization.objects.count(),
        "created": AuditLog.objects.filter(action=AuditAction.CREATE).count(),
    }


def field_block(response, field: str) -> str:
    """The rendered markup of one form field (label, input, help and errors)."""
    match = re.search(rf'id="field-{field}">(.*?)</div>', response.content.decode(), re.S)
    assert match, f"field {field} not rendered"
    return match.group(1)


def assert_field_error(response, field: str, message: str) -> None:
    """Re-rendered with ``message`` on ``field`` and shown beside that field."""
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in errors.get(field, []), errors
    assert message in field_block(response, field)


def page_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def notice() -> PrivacyNotice:
    current = services.current_privacy_notice()
    assert current is not None
    return current


@pytest.fixture
def send_code(django_capture_on_commit_callbacks):
    """Press "获取验证码" on a page; the SMS leaves after commit, so run the on-commit callbacks."""

    def send(client: Client, url: str, phone: str = PHONE, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"action": "send_code", "phone": phone, **extra})

    return send


@pytest.fixture
def code_for(django_capture_on_commit_callbacks):
    """Send a code through the service and return it as texted."""

    def make(phone: str = PHONE, purpose: str = CodePurpose.REGISTER) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.phone_code_send(phone=phone, purpose=purpose)
        return sms_codes(phone)[-1]

    return make


@pytest.fixture
def form_data(county_a, notice):
    def make(**overrides) -> dict:
        data = {
            "action": "register",
            "account_type": "worker",
            "phone": PHONE,
            "code": "",
            "real_name": "王小明",
            "id_number": make_resident_id(county_a.code, dt.date(1990, 5, 6), seq=7, male=True),
            "org_name": "",
            "uscc": "",
            "scope_unit": county_a.pk,
            "password": PASSWORD,
            "consent": "on",
            "notice_version": notice.version,
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return make


# --- the "获取验证码" button --------------------------------------------------------------------------


def test_send_code_button_texts_a_six_digit_code(db, send_code):
    client = Client()
    response = send_code(client, REGISTER_URL)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert [(m.channel, m.to) for m in outbox] == [("sms", PHONE)]
    (code,) = sms_codes(PHONE)
    assert re.fullmatch(r"\d{6}", code)
    record = PhoneCode.objects.get(phone=PHONE)
    assert record.purpose == CodePurpose.REGISTER and record.used_at is None and record.matches(code)
    assert page_messages(response) == ["验证码已发送到 138****5678，5分钟内有效。"]
    assert User.objects.filter(phone=PHONE).count() == 0


def test_send_code_with_bad_phone_shows_error_and_texts_nothing(db, send_code):
    response = send_code(Client(), REGISTER_URL, phone="1234567")
    assert response.status_code == 400
    assert "请输入正确的手机号码。" in response.context["form"].errors["phone"]
    assert "请输入正确的手机号码。" in field_block(response, "phone")
    assert outbox == [] and not PhoneCode.objects.exists()


def test_send_code_twice_within_a_minute_is_refused_beside_the_code_field(db, send_code):
    client = Client()
    send_code(client, REGISTER_URL)
    response = send_code(client, REGISTER_URL)
    assert_field_error(response, "code", "验证码已发送，请60秒后再获取。")
    assert len(sms_codes(PHONE)) == 1
    assert PhoneCode.objects.filter(phone=PHONE).count() == 1


# --- registration -------------------------------------------------------------------------------------


def test_worker_registration_creates_user_role_consent_audit_and_logs_in(
    db, county_a, notice, send_code, form_data
):
    client = Client()
    send_code(client, REGISTER_URL)
    data = form_data(code=sms_codes(PHONE)[-1])
    response = client.post(REGISTER_URL, data)
    assert response.status_code == 302 and response.url == "/jobs/me/profile/"  # on to 求职登记 (issue 13)

    user = User.objects.get(phone=PHONE)
    assert user.real_name == "王小明"
    assert user.id_number == data["id_number"]
    assert user.birth_date == dt.date(1990, 5, 6)
    assert user.gender == Gender.MALE
    assert user.scope_unit == county_a
    assert user.id_review_flag == ReviewFlag.NONE
    assert user.phone_verified_at is not None and user.real_name_verified_at is not None
    assert user.check_password(PASSWORD)
    assert user.is_active and not user.is_staff and not user.is_minor
    assert list(user.role_grants.values_list("role", "scope_unit")) == [(Role.WORKER, None)]
    assert list(user.consents.values_list("notice", flat=True)) == [notice.pk]
    audit = AuditLog.objects.get(
        action=AuditAction.CREATE,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
    )
    assert audit.actor == user and audit.scope_unit == county_a
    assert data["id_number"] not in json.dumps(audit.after)  # masked in the audit trail
    assert PhoneCode.objects.get(phone=PHONE).used_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(PROFILE_URL).status_code == 200


def test_employer_person_registration_grants_employer_role(db, send_code, form_data):
    client = Client()
    send_code(client, REGISTER_URL)
    response = client.post(REGISTER_URL, form_data(account_type="employer_person", code=sms_codes(PHONE)[-1]))
    assert response.status_code == 302
    user = User.objects.get(phone=PHONE)
    assert set(user.role_grants.values_list("role", flat=True)) == {Role.EMPLOYER}
    assert user.id_number and not user.organizations.exists()


def test_employer_org_registration_creates_organization_with_uscc(db, county_b, notice, send_code, form_data):
    client = Client()
    send_code(client, REGISTER_URL)
    credit_code = make_uscc(county_b.code, seq=4242)
    data = form_data(
        account_type="employer_org",
        code=sms_codes(PHONE)[-1],
        id_number="",
        org_name="寿光蔬菜产业有限公司",
        uscc=credit_code,
        scope_unit=county_b.pk,
    )
    response = client.post(REGISTER_URL, data)
    assert response.status_code == 302

    user = User.objects.get(phone=PHONE)
    assert user.id_number is None and user.scope_unit == county_b
    assert set(user.role_grants.values_list("role", flat=True)) == {Role.EMPLOYER}
    org = Organization.objects.get(uscc=credit_code)
    assert (org.name, org.owner, org.scope_unit, org.contact_name) == (
        "寿光蔬菜产业有限公司",
        user,
        county_b,
        "王小明",
    )
    assert org.uscc_review_flag == ReviewFlag.NONE
    assert user.consents.filter(notice=notice).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_employer_org_with_unknown_area_uscc_is_saved_and_flagged(db, send_code, form_data):
    client = Client()
    send_code(client, REGISTER_URL)
    credit_code = make_uscc("379999", seq=77)
    data = form_data(
        account_type="employer_org",
        code=sms_codes(PHONE)[-1],
        id_number="",
        org_name="某公司",
        uscc=credit_code,
    )
    assert client.post(REGISTER_URL, data).status_code == 302
    assert Organization.objects.get(uscc=credit_code).uscc_review_flag == ReviewFlag.UNKNOWN_AREA


def test_registration_with_unknown_area_id_is_saved_and_flagged_for_review(db, send_code, form_data):
    client = Client()
    send_code(client, REGISTER_URL)
    number = make_resident_id("379999", dt.date(1991, 8, 9), seq=3, male=False)
    response = client.post(REGISTER_URL, form_data(code=sms_codes(PHONE)[-1], id_number=number))
    assert response.status_code == 302
    user = User.objects.get(phone=PHONE)
    assert (user.id_number, user.id_review_flag, user.gender) == (
        number,
        ReviewFlag.UNKNOWN_AREA,
        Gender.FEMALE,
    )


def test_registration_of_a_17_year_old_is_accepted_and_marked_minor(db, county_a, send_code, form_data):
    client = Client()
    send_code(client, REGISTER_URL)
    birth = years_ago(17)
    number = make_resident_id(county_a.code, birth, seq=11)
    response = client.post(REGISTER_URL, form_data(code=sms_codes(PHONE)[-1], id_number=number))
    assert response.status_code == 302
    user = User.objects.get(phone=PHONE)
    assert user.birth_date == birth and user.age == 17
    assert user.is_minor is True


def test_registration_with_bad_phone_saves_nothing(db, form_data):
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(phone="12345678901", code="123456"))
    assert_field_error(response, "phone", "请输入正确的手机号码。")
    assert stored_counts() == before


def test_registration_with_wrong_code_saves_nothing_and_keeps_the_code(db, send_code, form_data):
    client = Client()
    send_code(client, REGISTER_URL)
    code = sms_codes(PHONE)[-1]
    before = stored_counts()

    response = client.post(REGISTER_URL, form_data(code=wrong(code)))
    assert_field_error(response, "code", WRONG_CODE)
    assert stored_counts() == before
    assert PhoneCode.objects.get(phone=PHONE).used_at is None
    assert "_auth_user_id" not in client.session

    response = client.post(REGISTER_URL, form_data(code=code))
    assert response.status_code == 302
    assert User.objects.filter(phone=PHONE).exists()


def test_registration_without_code_asks_for_it(db, form_data):
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(code=""))
    assert_field_error(response, "code", "请填写短信验证码。")
    assert stored_counts() == before


def test_registration_code_is_void_after_five_wrong_tries(db, send_code, form_data):
    client = Client()
    send_code(client, REGISTER_URL)
    code = sms_codes(PHONE)[-1]
    before = stored_counts()
    for _ in range(5):
        assert_field_error(client.post(REGISTER_URL, form_data(code=wrong(code))), "code", WRONG_CODE)

    response = client.post(REGISTER_URL, form_data(code=code))
    assert_field_error(response, "code", TOO_MANY_TRIES)
    assert stored_counts() == before

    # A new code (once the minute has passed) works again.
    PhoneCode.objects.filter(phone=PHONE).update(created_at=timezone.now() - timedelta(seconds=61))
    send_code(client, REGISTER_URL)
    new_code = sms_codes(PHONE)[-1]
    assert client.post(REGISTER_URL, form_data(code=new_code)).status_code == 302
    assert User.objects.filter(phone=PHONE).exists()


def test_registration_with_bad_id_checksum_saves_nothing(db, county_a, code_for, form_data):
    good = make_resident_id(county_a.code, dt.date(1990, 5, 6), seq=7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(code=code_for(), id_number=bad))
    assert_field_error(response, "id_number", "身份证号码校验位不正确，请核对。")
    assert stored_counts() == before
    assert PhoneCode.objects.get(phone=PHONE).used_at is None


def test_registration_with_impossible_birth_date_saves_nothing(db, county_a, code_for, form_data):
    body = f"{county_a.code}19900230123"
    number = body + ric.calc_check_digit(body + "0")
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(code=code_for(), id_number=number))
    assert_field_error(response, "id_number", "身份证号码中的出生日期无效。")
    assert stored_counts() == before


def test_registration_under_16_saves_nothing(db, county_a, code_for, form_data):
    number = make_resident_id(county_a.code, years_ago(16, days=1), seq=5)  # 16 tomorrow
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(code=code_for(), id_number=number))
    assert_field_error(response, "id_number", "未满16周岁不能注册（《劳动法》第十五条）。")
    assert stored_counts() == before
    assert PhoneCode.objects.get(phone=PHONE).used_at is None


def test_registration_on_the_16th_birthday_is_accepted(db, county_a, code_for, form_data):
    number = make_resident_id(county_a.code, years_ago(16), seq=5)
    assert Client().post(REGISTER_URL, form_data(code=code_for(), id_number=number)).status_code == 302
    assert User.objects.get(phone=PHONE).age == 16


def test_registration_without_consent_saves_nothing(db, code_for, form_data):
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(code=code_for(), consent=None))
    assert response.status_code == 400
    errors = response.context["form"].errors["consent"]
    assert errors and all(re.search(r"[\u4e00-\u9fff]", e) for e in errors), errors
    assert errors[0] in field_block(response, "consent")
    assert stored_counts() == before
    assert PhoneCode.objects.get(phone=PHONE).used_at is None


def test_registration_against_an_outdated_notice_saves_nothing(db, notice, code_for, form_data):
    PrivacyNotice.objects.create(
        version="2.0", title="个人信息保护告知书", body="……", published_at=timezone.now()
    )
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(code=code_for(), notice_version=notice.version))
    assert_field_error(response, "consent", "请阅读并同意最新的个人信息保护告知书。")
    assert stored_counts() == before


def test_registration_with_duplicate_phone_saves_nothing(db, worker, code_for, form_data):
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(phone=worker.phone, code=code_for(worker.phone)))
    assert_field_error(response, "phone", "该手机号码已注册，请直接登录或找回密码。")
    assert stored_counts() == before
    worker.refresh_from_db()
    assert worker.real_name != "王小明" and worker.check_password(OLD_PASSWORD)


def test_registration_with_duplicate_id_number_saves_nothing(db, worker, code_for, form_data):
    before = stored_counts()
    response = Client().post(REGISTER_URL, form_data(code=code_for(), id_number=worker.id_number))
    assert_field_error(response, "id_number", str(services.DUPLICATE_ID_ONLINE))
    assert stored_counts() == before
    # the refusal says nothing of whose it is, and is audited as the lookup it amounts to
    row = AuditLog.objects.get(action=AuditAction.REVEAL)
    assert row.after == {"lookup": "id_number", "value": mask_id_number(worker.id_number), "found": True}
    assert worker.phone not in str(row.after) and worker.real_name not in response.content.decode()


def test_registration_says_nothing_about_a_number_before_its_code_is_right(db, worker, form_data):
    """No enumeration: with a wrong code the answer for a registered number and a new one is the same."""
    answers = []
    for phone in (worker.phone, "13912340000"):
        response = Client().post(
            REGISTER_URL, form_data(phone=phone, code="000000", id_number=worker.id_number)
        )
        body = response.content.decode()
        answers.append(
            ("该手机号码已注册" in body, "不能重复注册" in body, "验证码" in body, response.status_code)
        )
    assert answers[0] == answers[1] == (False, False, True, 400)


def test_registration_with_bad_uscc_saves_nothing(db, county_a, code_for, form_data):
    good = make_uscc(county_a.code, seq=99)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    before = stored_counts()
    data = form_data(account_type="employer_org", code=code_for(), id_number="", org_name="某公司", uscc=bad)
    response = Client().post(REGISTER_URL, data)
    assert_field_error(response, "uscc", "统一社会信用代码校验位不正确，请核对。")
    assert stored_counts() == before


def test_registration_with_duplicate_uscc_saves_nothing(db, county_a, worker, code_for, form_data):
    credit_code = make_uscc(county_a.code, seq=5150)
    Organization.objects.create(
        name="先来的公司", uscc=credit_code, contact_name="甲", owner=worker, scope_unit=county_a
    )
    before = stored_counts()
    data = form_data(
        account_type="employer_org", code=code_for(), id_number="", org_name="后来的公司", uscc=credit_code
    )
    response = Client().post(REGISTER_URL, data)
    assert_field_error(response, "uscc", "该统一社会信用代码已注册。")
    assert stored_counts() == before


# --- SMS codes (service) ------------------------------------------------------------------------------


def test_phone_code_is_stored_hashed(db, code_for):
    code = code_for()
    record = PhoneCode.objects.get(phone=PHONE)
    stored = [str(getattr(record, f.attname)) for f in PhoneCode._meta.concrete_fields]
    assert not any(code in value for value in stored)
    assert record.matches(code) and not record.matches(wrong(code))


def test_phone_code_works_once(db, code_for):
    code = code_for()
    services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=code)
    assert PhoneCode.objects.get(phone=PHONE).used_at is not None
    with pytest.raises(DomainError) as exc:
        services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=code)
    assert exc.value.fields == {"code": [EXPIRED_CODE]}


def test_phone_code_expires(db, code_for):
    code = code_for()
    PhoneCode.objects.filter(phone=PHONE).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as exc:
        services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=code)
    assert exc.value.fields == {"code": [EXPIRED_CODE]}
    assert PhoneCode.objects.get(phone=PHONE).used_at is None


def test_phone_code_lifetime_follows_the_setting(db, settings, code_for):
    settings.LINGONG_SMS_CODE_TTL = 120
    start = timezone.now()
    code = code_for()
    record = PhoneCode.objects.get(phone=PHONE)
    assert start + timedelta(seconds=119) <= record.expires_at <= timezone.now() + timedelta(seconds=120)
    assert "2分钟内有效" in outbox[-1].body

    settings.LINGONG_SMS_CODE_TTL = 0
    PhoneCode.objects.all().delete()
    code = code_for()
    with pytest.raises(DomainError) as exc:
        services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=code)
    assert exc.value.fields == {"code": [EXPIRED_CODE]}


def test_phone_code_is_bound_to_its_purpose(db, worker, code_for):
    code = code_for(worker.phone, CodePurpose.REGISTER)
    with pytest.raises(DomainError):
        services.phone_code_consume(phone=worker.phone, purpose=CodePurpose.RESET_PASSWORD, code=code)
    services.phone_code_consume(phone=worker.phone, purpose=CodePurpose.REGISTER, code=code)


def test_phone_code_second_send_within_a_minute_is_rate_limited(db, code_for):
    code_for()
    with pytest.raises(RateLimited) as exc:
        services.phone_code_send(phone=PHONE, purpose=CodePurpose.REGISTER)
    assert str(exc.value.message) == "验证码已发送，请60秒后再获取。"
    assert PhoneCode.objects.filter(phone=PHONE).count() == 1 and len(outbox) == 1


def test_phone_code_resent_after_a_minute_replaces_the_old_one(db, code_for):
    first = code_for()
    old = PhoneCode.objects.get(phone=PHONE)
    PhoneCode.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    second = code_for()
    assert sms_codes(PHONE) == [first, second]
    old.refresh_from_db()
    assert old.used_at is not None  # voided by the new one
    new = PhoneCode.objects.exclude(pk=old.pk).get(phone=PHONE)
    assert new.used_at is None and new.matches(second)
    services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=second)


def test_phone_code_daily_limit_is_ten(db, django_capture_on_commit_callbacks):
    now = timezone.now()
    for i in range(9):
        PhoneCode.objects.create(
            phone=PHONE,
            purpose=CodePurpose.REGISTER,
            code_hash="x",
            created_at=now - timedelta(hours=2 + i),
            expires_at=now - timedelta(hours=1 + i),
            used_at=now - timedelta(hours=1 + i),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=PHONE, purpose=CodePurpose.REGISTER)  # the tenth today
    PhoneCode.objects.filter(phone=PHONE).update(created_at=now - timedelta(minutes=5))
    with pytest.raises(RateLimited) as exc:
        services.phone_code_send(phone=PHONE, purpose=CodePurpose.REGISTER)
    assert str(exc.value.message) == "该号码今天获取验证码次数过多，请明天再试。"
    assert PhoneCode.objects.filter(phone=PHONE).count() == 10 and len(outbox) == 1


def test_phone_code_sends_below_the_daily_limit_after_a_day(db, code_for):
    now = timezone.now()
    for i in range(10):
        PhoneCode.objects.create(
            phone=PHONE,
            purpose=CodePurpose.REGISTER,
            code_hash="x",
            created_at=now - timedelta(days=1, hours=i),
            expires_at=now - timedelta(days=1),
        )
    assert re.fullmatch(r"\d{6}", code_for())


def test_phone_code_is_void_after_five_wrong_tries(db, code_for):
    code = code_for()
    for _ in range(5):
        with pytest.raises(DomainError) as exc:
            services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=wrong(code))
        assert exc.value.fields == {"code": [WRONG_CODE]}
    with pytest.raises(DomainError) as exc:
        services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=code)
    assert exc.value.fields == {"code": [TOO_MANY_TRIES]}


def test_phone_code_four_wrong_tries_still_allow_the_right_one(db, code_for):
    code = code_for()
    for _ in range(4):
        with pytest.raises(DomainError):
            services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=wrong(code))
    services.phone_code_consume(phone=PHONE, purpose=CodePurpose.REGISTER, code=code)
    assert PhoneCode.objects.get(phone=PHONE).used_at is not None


# --- password reset -----------------------------------------------------------------------------------


def test_password_reset_with_code_sets_a_working_new_password(db, worker, send_code):
    client = Client()
    response = send_code(client, RESET_URL, phone=worker.phone)
    assert response.status_code == 200
    (code,) = sms_codes(worker.phone)
    assert PhoneCode.objects.get(phone=worker.phone).purpose == CodePurpose.RESET_PASSWORD

    response = client.post(
        RESET_URL,
        {"phone": worker.phone, "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == "/accounts/login/"
    worker.refresh_from_db()
    assert worker.check_password(NEW_PASSWORD) and not worker.check_password(OLD_PASSWORD)
    assert PhoneCode.objects.get(phone=worker.phone).used_at is not None
    assert AuditLog.objects.filter(
        action=AuditAction.UPDATE, object_id=str(worker.pk), after={"password": "***"}
    ).exists()

    login = Client().post("/accounts/login/", {"username": worker.phone, "password": NEW_PASSWORD})
    assert login.status_code == 302 and login.url == "/jobs/me/"  # the worker's home (issue 13)


def test_password_reset_with_wrong_code_leaves_password_unchanged(db, worker, send_code):
    client = Client()
    send_code(client, RESET_URL, phone=worker.phone)
    code = sms_codes(worker.phone)[-1]
    response = client.post(
        RESET_URL,
        {
            "phone": worker.phone,
            "code": wrong(code),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400  # the reset page re-renders with its errors
    assert WRONG_CODE in response.context["form"].errors["code"]
    assert WRONG_CODE in field_block(response, "code")
    worker.refresh_from_db()
    assert worker.check_password(OLD_PASSWORD) and not worker.check_password(NEW_PASSWORD)
    assert PhoneCode.objects.get(phone=worker.phone).used_at is None


def test_password_reset_with_mismatched_passwords_changes_nothing(db, worker, code_for):
    code = code_for(worker.phone, CodePurpose.RESET_PASSWORD)
    response = Client().post(
        RESET_URL,
        {"phone": worker.phone, "code": code, "new_password1": NEW_PASSWORD, "new_password2": "other-2026"},
    )
    assert "两次输入的密码不一致。" in response.context["form"].errors["new_password2"]
    worker.refresh_from_db()
    assert worker.check_password(OLD_PASSWORD)
    assert PhoneCode.objects.get(phone=worker.phone).used_at is None


def test_password_reset_for_unregistered_number_texts_nothing_and_gives_no_hint(db, worker, send_code):
    stranger = "13900001111"
    assert not User.objects.filter(phone=stranger).exists()

    known = send_code(Client(), RESET_URL, phone=worker.phone)
    unknown = send_code(Client(), RESET_URL, phone=stranger)

    assert sms_codes(stranger) == [] and not PhoneCode.objects.filter(phone=stranger).exists()
    assert len(sms_codes(worker.phone)) == 1
    assert unknown.status_code == known.status_code == 200
    assert not unknown.context["form"].errors and not known.context["form"].errors
    mask = lambda text, phone: text.replace(phone[:3] + "****" + phone[-4:], "PHONE")  # noqa: E731
    assert [mask(m, stranger) for m in page_messages(unknown)] == [
        mask(m, worker.phone) for m in page_messages(known)
    ]

    # Trying a code for it answers exactly like a wrong code.
    response = Client().post(
        RESET_URL,
        {"phone": stranger, "code": "123456", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.context["form"].errors["code"] == [WRONG_CODE]
    assert not User.objects.filter(phone=stranger).exists()


# --- profile, export, deletion ------------------------------------------------------------------------


def test_profile_shows_own_full_phone_and_id(worker, client_as):
    response = client_as(worker).get(PROFILE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert worker.phone in html and worker.id_number in html


def test_profile_export_and_delete_need_login(db):
    client = Client()
    for url in (PROFILE_URL, EXPORT_URL, DELETE_URL):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_export_returns_own_data_as_json(worker, worker_b, county_a, notice, client_as):
    Consent.objects.create(user=worker, notice=notice)
    org = Organization.objects.create(
        name="潍城家政服务部",
        uscc=make_uscc(county_a.code, seq=31),
        contact_name=worker.real_name,
        owner=worker,
        scope_unit=county_a,
    )
    response = client_as(worker).get(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content.decode("utf-8"))
    account = data["account"]
    assert account["phone"] == worker.phone
    assert account["real_name"] == worker.real_name
    assert account["id_number"] == worker.id_number
    assert account["birth_date"] == worker.birth_date.isoformat()
    assert account["gender"] == worker.gender
    assert account["county"] == county_a.name
    assert account["roles"] == [Role.WORKER]
    assert data["organizations"] == [{"name": org.name, "uscc": org.uscc, "contact_name": worker.real_name}]
    assert [c["notice"] for c in data["consents"]] == [notice.version]
    body = response.content.decode("utf-8")
    assert worker_b.phone not in body and worker_b.id_number not in body


def test_delete_account_with_password_anonymizes_and_keeps_statistics(worker, notice, client_as):
    Consent.objects.create(user=worker, notice=notice)
    original = (worker.phone, worker.birth_date, worker.gender, worker.scope_unit_id)
    client = client_as(worker)
    response = client.post(DELETE_URL, {"password": OLD_PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and response.url == "/"

    worker.refresh_from_db()
    assert worker.phone != original[0] and original[0] not in worker.phone
    assert worker.real_name == "" and worker.id_number is None
    assert worker.is_active is False and worker.anonymized_at is not None
    assert not worker.has_usable_password()
    assert worker.birth_date.year == original[1].year and worker.gender == original[2]
    assert worker.scope_unit_id == original[3]
    assert Consent.objects.filter(user=worker, notice=notice).exists()
    audit = AuditLog.objects.get(
        action=AuditAction.DELETE,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(worker.pk),
    )
    assert audit.actor == worker and audit.after == {"anonymized": True}
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(phone=original[0]).exists()  # the number is free to register again


def test_delete_account_with_wrong_password_changes_nothing(worker, client_as):
    before = (worker.phone, worker.real_name, worker.id_number)
    response = client_as(worker).post(DELETE_URL, {"password": "not-my-password", "confirm": "on"})
    assert response.status_code == 200
    assert "密码不正确。" in response.context["form"].errors["password"]
    worker.refresh_from_db()
    assert (worker.phone, worker.real_name, worker.id_number) == before
    assert worker.is_active and worker.anonymized_at is None
    assert not AuditLog.objects.filter(action=AuditAction.DELETE, object_id=str(worker.pk)).exists()


def test_staff_cannot_delete_their_own_account_on_the_page(officer, client_as):
    response = client_as(officer).post(DELETE_URL, {"password": OLD_PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "工作人员账号请联系市级管理员注销。" in response.context["form"].non_field_errors()
    officer.refresh_from_db()
    assert officer.is_active and officer.anonymized_at is None and officer.real_name


def test_old_sms_codes_are_purged_and_recent_ones_kept(db):
    import datetime as dt

    from django.utils import timezone

    from accounts.services import phone_code_purge
    from accounts.tasks import phone_code_purge_task

    now = timezone.now()
    old = PhoneCode.objects.create(
        phone=PHONE, purpose="register", code_hash="x", created_at=now - dt.timedelta(days=3), expires_at=now
    )
    recent = PhoneCode.objects.create(
        phone=PHONE,
        purpose="register",
        code_hash="y",
        created_at=now - dt.timedelta(hours=20),
        expires_at=now,
    )
    assert phone_code_purge_task.delay().get() == 1
    assert not PhoneCode.objects.filter(pk=old.pk).exists()
    assert PhoneCode.objects.filter(pk=recent.pk).exists()  # the daily limit still counts it
    assert phone_code_purge(now=now + dt.timedelta(days=2)) == 1
