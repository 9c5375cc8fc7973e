"""Identity checks: mainland mobile numbers (phonenumbers), resident IDs and unified social credit codes
(python-stdnum). An area code that the libraries cannot place is a flag for staff review, never a
rejection: stdnum's table lags behind real, newer codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from core.models import Division

from .choices import Gender, ReviewFlag

MIN_WORKING_AGE = 16  # Labor Law art. 15
ADULT_AGE = 18


def normalize_phone(value: str) -> str:
    """A mainland mobile number as 11 digits, or ValidationError."""
    raw = (value or "").strip()
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("请输入正确的手机号码。"), code="invalid_phone") from exc
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("请输入正确的手机号码。"), code="invalid_phone")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("请输入手机号码（不是固定电话）。"), code="not_mobile")
    return str(parsed.national_number)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _area_known(code: str) -> bool:
    return Division.objects.filter(code=code).exists()


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    gender: str
    flag: str

    def age(self, day: dt.date | None = None) -> int:
        return age_on(self.birth_date, day or timezone.localdate())


def check_resident_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate an 18-digit resident ID: format, birth date, check digit; flag an unknown area code."""
    today = today or timezone.localdate()
    number = ric.compact(value or "")
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位。"), code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码格式不正确。"), code="id_format")
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth_date") from exc
    if birth_date > today or birth_date.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth_date")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号码校验位不正确，请核对。"), code="id_checksum")
    flag = ReviewFlag.NONE
    try:
        ric.get_birth_place(number)
    except (StdnumError, KeyError):  # stdnum raises KeyError for a known province with an unknown county
        if not _area_known(number[:6]):
            flag = ReviewFlag.UNKNOWN_AREA
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return ResidentId(number=number, birth_date=birth_date, gender=gender, flag=flag)


def check_worker_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """A resident ID of someone old enough to register (16, Labor Law)."""
    rid = check_resident_id(value, today=today)
    if rid.age(today) < MIN_WORKING_AGE:
        raise ValidationError(_("未满16周岁不能注册（《劳动法》第十五条）。"), code="under_age")
    return rid


@dataclass(frozen=True)
class CreditCode:
    number: str
    flag: str


def check_uscc(value: str) -> CreditCode:
    """Validate a unified social credit code (GB 32100): format and check digit; flag an unknown area."""
    number = uscc.compact(value or "")
    if len(number) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="uscc_length")
    try:
        uscc.validate(number)
    except StdnumError as exc:
        if number[:8].isdigit() and all(c in uscc._alphabet for c in number[8:]):
            raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="uscc_checksum") from exc
        raise ValidationError(_("统一社会信用代码格式不正确。"), code="uscc_format") from exc
    flag = ReviewFlag.NONE if _area_known(number[2:8]) else ReviewFlag.UNKNOWN_AREA
    return CreditCode(number=number, flag=flag)
