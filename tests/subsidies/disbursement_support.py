"""Test data for disbursement: approved applications (arranged directly: the review workflow is tested in its
own module) with their reviewers, and payee accounts."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import Role
from subsidies import bankfiles
from subsidies.choices import AccountKind, ApplicationStatus
from subsidies.models import Application, ApplicationEvent, PayeeAccount

from ..accounts.factories import UserFactory
from .factories import program

_numbers = itertools.count(1)


def card(n: int) -> str:
    """A 19-digit account number with a valid Luhn digit (so the personal-data finders see it if it leaks)."""
    from stdnum import luhn

    body = f"621700{n:012d}"
    return body + luhn.calc_check_digit(body)


def account_for(person, n: int | None = None) -> PayeeAccount:
    return PayeeAccount.objects.create(
        person=person,
        kind=AccountKind.SOCIAL_SECURITY_CARD,
        bank_name="潍坊银行",
        account_number=card(person.pk if n is None else n),
        holder_name=person.real_name,
    )


def approved(
    person,
    *,
    county_reviewer,
    city_reviewer,
    amount: str = "746.67",
    code: str = "flexible_social_insurance",
    with_account: bool = True,
) -> Application:
    app = Application.objects.create(
        number=f"T{next(_numbers):09d}",
        person=person,
        program_type=program(code),
        scope_unit=person.scope_unit,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        status=ApplicationStatus.APPROVED,
        amount_requested=Decimal(amount),
        amount_approved=Decimal(amount),
        county_reviewer=county_reviewer,
        county_reviewed_at=timezone.now(),
        city_reviewer=city_reviewer,
        city_reviewed_at=timezone.now(),
        approved_at=timezone.now(),
    )
    ApplicationEvent.objects.create(
        application=app,
        from_status=ApplicationStatus.COUNTY_REVIEW,
        to_status=ApplicationStatus.CITY_REVIEW,
        actor=county_reviewer,
    )
    if with_account and not PayeeAccount.objects.filter(person=person).exists():
        account_for(person)
    return app


def reviewers(county):
    return (
        UserFactory(scope_unit=county, roles=[Role.COUNTY_STAFF]),
        UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF]),
    )


def result_upload(lines, name="result.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, bankfiles.sample_result_file(lines))
