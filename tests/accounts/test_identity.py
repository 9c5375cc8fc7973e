"""Identity numbers: resident IDs (GB 11643) and unified social credit codes (GB 32100), checked with
python-stdnum; an area code nobody can place is accepted and flagged for staff review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from accounts.choices import Gender, ReviewFlag
from accounts.idgen import make_resident_id, make_uscc
from accounts.validators import check_resident_id, check_uscc, check_worker_id
from core.choices import ScopeUnitKind
from core.models import Division, ScopeUnit

from ..conftest import ensure_divisions

pytestmark = pytest.mark.django_db

CITY = "370700"
UNKNOWN_AREA = "379999"  # Shandong, but no such county: neither stdnum nor GB/T 2260 knows it
ID_CHARS = "0123456789X"
USCC_CHARS = uscc._alphabet  # 0-9 and A-Z without I, O, Z, S, V
BIRTH_DATE_MESSAGE = "身份证号码中的出生日期无效。"
UNDER_AGE_MESSAGE = "未满16周岁不能注册（《劳动法》第十五条）。"
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def counties() -> list[ScopeUnit]:
    ensure_divisions()
    units = list(
        ScopeUnit.objects.filter(kind=ScopeUnitKind.COUNTY, division__parent_id=CITY).order_by("code")
    )
    assert len(units) == 12, [u.code for u in units]
    return units


def id_with_check_digit(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def substitutions(number: str, alphabet: str):
    """Every string that differs from ``number`` in exactly one position, drawn from ``alphabet``."""
    for pos, original in enumerate(number):
        for char in alphabet:
            if char != original:
                yield pos, number[:pos] + char + number[pos + 1 :]


def rejected(check, value: str) -> bool:
    try:
        check(value)
    except ValidationError:
        return True
    return False


def born_years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


def test_unknown_area_code_is_really_unknown(db):
    ensure_divisions()
    assert not Division.objects.filter(code=UNKNOWN_AREA).exists()
    with pytest.raises((StdnumError, KeyError)):
        ric.get_birth_place(make_resident_id(UNKNOWN_AREA, dt.date(1990, 1, 1)))


# --- resident IDs -------------------------------------------------------------------------------------


def test_resident_id_accepts_generated_ids_for_every_county_and_birth_year(counties):
    failures = []
    for year in range(1950, 2009):
        for i, county in enumerate(counties):
            birth = dt.date(year, 1 + (year + i) % 12, 1 + (year * 7 + i) % 28)
            male = (year + i) % 2 == 0
            number = make_resident_id(county.code, birth, seq=year + i, male=male)
            try:
                rid = check_resident_id(number)
            except ValidationError as exc:
                failures.append((number, exc.messages))
                continue
            expected = (number, birth, Gender.MALE if male else Gender.FEMALE, ReviewFlag.NONE)
            if (rid.number, rid.birth_date, rid.gender, rid.flag) != expected:
                failures.append((number, rid))
    assert failures == []


def test_resident_id_rejects_every_single_character_substitution(counties):
    numbers = [
        make_resident_id(county.code, dt.date(1950 + 5 * i, 1 + i, 10 + i), seq=i, male=i % 2 == 0)
        for i, county in enumerate(counties)
    ]
    accepted = []
    for number in numbers:
        check_resident_id(number)  # the original is valid
        accepted += [
            (pos, bad) for pos, bad in substitutions(number, ID_CHARS) if not rejected(check_resident_id, bad)
        ]
    assert accepted == []


def test_resident_id_check_digit_x_accepted_in_either_case(county_a):
    numbers = (make_resident_id(county_a.code, dt.date(1985, 3, 4), seq=seq) for seq in range(1, 500))
    number = next(n for n in numbers if n[-1] == "X")
    assert check_resident_id(number).number == number
    assert check_resident_id(number[:-1] + "x").number == number
    assert all(rejected(check_resident_id, number[:-1] + d) for d in "0123456789")


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "19900132", "20010229"])
def test_resident_id_with_impossible_birth_date_is_rejected(county_a, birth):
    number = id_with_check_digit(f"{county_a.code}{birth}123")  # the check digit itself is right
    with pytest.raises(ValidationError) as exc:
        check_resident_id(number)
    assert exc.value.code == "id_birth_date"
    assert exc.value.messages == [BIRTH_DATE_MESSAGE]


def test_resident_id_leap_day_is_a_real_birth_date(county_a):
    number = id_with_check_digit(f"{county_a.code}20000229123")
    assert check_resident_id(number).birth_date == dt.date(2000, 2, 29)


def test_resident_id_born_in_the_future_is_rejected(county_a):
    number = make_resident_id(county_a.code, TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        check_resident_id(number, today=TODAY)
    assert exc.value.messages == [BIRTH_DATE_MESSAGE]


@pytest.mark.parametrize("area", [UNKNOWN_AREA, "370799", "990101"])
def test_resident_id_with_unknown_area_is_accepted_and_flagged(db, area):
    ensure_divisions()
    number = make_resident_id(area, dt.date(1990, 5, 6))
    rid = check_resident_id(number)
    assert rid.number == number
    assert rid.flag == ReviewFlag.UNKNOWN_AREA


def test_resident_id_known_to_our_table_but_not_to_stdnum_is_not_flagged(county_b):
    # 寿光市 (370783) got its code in 1993; stdnum cannot place it for 1990, GB/T 2260 in our table can.
    number = make_resident_id(county_b.code, dt.date(1990, 5, 6))
    with pytest.raises(StdnumError):
        ric.get_birth_place(number)
    assert check_resident_id(number).flag == ReviewFlag.NONE


def test_resident_id_derives_birth_date_and_gender(county_a):
    man = check_resident_id(make_resident_id(county_a.code, dt.date(1972, 11, 23), seq=4, male=True))
    woman = check_resident_id(make_resident_id(county_a.code, dt.date(1988, 2, 29), seq=4, male=False))
    assert (man.birth_date, man.gender) == (dt.date(1972, 11, 23), Gender.MALE)
    assert (woman.birth_date, woman.gender) == (dt.date(1988, 2, 29), Gender.FEMALE)


@pytest.mark.parametrize("value", ["", "37070219900101003", "3707021990010100377", "37070219900101003Y"])
def test_resident_id_of_wrong_length_or_format_is_rejected(db, value):
    with pytest.raises(ValidationError):
        check_resident_id(value)


def test_worker_id_refuses_a_15_year_old(county_a):
    number = make_resident_id(county_a.code, born_years_before(TODAY, 15))
    with pytest.raises(ValidationError) as exc:
        check_worker_id(number, today=TODAY)
    assert exc.value.code == "under_age"
    assert exc.value.messages == [UNDER_AGE_MESSAGE]


def test_worker_id_refuses_the_day_before_the_16th_birthday(county_a):
    number = make_resident_id(county_a.code, born_years_before(TODAY, 16) + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        check_worker_id(number, today=TODAY)
    assert exc.value.code == "under_age"


def test_worker_id_accepts_a_16_year_old_on_the_birthday(county_a):
    birth = born_years_before(TODAY, 16)
    rid = check_worker_id(make_resident_id(county_a.code, birth), today=TODAY)
    assert rid.birth_date == birth
    assert rid.age(TODAY) == 16


def test_worker_id_accepts_a_17_year_old(county_a):
    rid = check_worker_id(make_resident_id(county_a.code, born_years_before(TODAY, 17)), today=TODAY)
    assert rid.age(TODAY) == 17


# --- unified social credit codes ----------------------------------------------------------------------


def test_uscc_accepts_generated_codes_for_every_county(counties):
    failures = []
    for i, county in enumerate(counties):
        for seq in (1, 7 + i, 12345678 - i):
            for kind in ("91", "12", "52"):
                number = make_uscc(county.code, seq=seq, kind=kind)
                try:
                    credit = check_uscc(number)
                except ValidationError as exc:
                    failures.append((number, exc.messages))
                    continue
                if (credit.number, credit.flag) != (number, ReviewFlag.NONE):
                    failures.append((number, credit))
    assert failures == []


def test_uscc_accepts_lowercase_and_separators(county_a):
    codes = (make_uscc(county_a.code, seq=seq) for seq in range(1, 500))
    number = next(n for n in codes if n[-1].isalpha())
    assert check_uscc(number.lower()).number == number
    assert check_uscc(f"{number[:6]} {number[6:12]}-{number[12:]}").number == number


def test_uscc_rejects_every_single_character_substitution(counties):
    numbers = [make_uscc(county.code, seq=1000 * i + 17) for i, county in enumerate(counties)]
    accepted = []
    for number in numbers:
        check_uscc(number)  # the original is valid
        accepted += [
            (pos, bad) for pos, bad in substitutions(number, USCC_CHARS) if not rejected(check_uscc, bad)
        ]
    assert accepted == []


def test_uscc_with_wrong_check_character_says_so(county_a):
    number = make_uscc(county_a.code, seq=5)
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    with pytest.raises(ValidationError) as exc:
        check_uscc(wrong)
    assert exc.value.code == "uscc_checksum"
    assert exc.value.messages == ["统一社会信用代码校验位不正确，请核对。"]


@pytest.mark.parametrize("value", ["", "91370702MA3C", "9137070200000001X1X", "91370702I0000001XA"])
def test_uscc_of_wrong_length_or_format_is_rejected(db, value):
    with pytest.raises(ValidationError):
        check_uscc(value)


def test_uscc_with_unknown_area_is_accepted_and_flagged(db):
    ensure_divisions()
    number = make_uscc(UNKNOWN_AREA, seq=42)
    credit = check_uscc(number)
    assert credit.number == number
    assert credit.flag == ReviewFlag.UNKNOWN_AREA


def test_uscc_with_known_area_is_not_flagged(county_b):
    assert check_uscc(make_uscc(county_b.code, seq=42)).flag == ReviewFlag.NONE
