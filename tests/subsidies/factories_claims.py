"""Insured-list claim test data: a platform or agency on record (an organisation), an insured person who
worked for it in the month, and the list as a CSV upload."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from jobs.choices import EmployerKind

from ..accounts.factories import UserFactory
from ..jobs.factories import make_employer
from .factories import work_days

MAY = dt.date(2026, 5, 1)
HEADER = ["身份证号码", "姓名", "保单号", "保费", "保障月份", "管理人员", "职业伤害保障"]


def agency(unit, name: str = "乙家政"):
    employer = make_employer(unit=unit)
    employer.kind = EmployerKind.ORGANIZATION
    employer.display_name = name
    employer.save(update_fields=["kind", "display_name"])
    return employer


def insured(unit, *employers, birth=dt.date(1990, 3, 1), month=MAY):
    """A worker of ``unit`` who worked two days in ``month`` for each of ``employers``."""
    person = UserFactory(scope_unit=unit, roles=[Role.WORKER], birth_date=birth, gender="F")
    for employer in employers:
        work_days(person, month, 2, employer=employer)
    return person


def row(person, policy: str, premium: str, *, month="2026-05", manager="否", cover="否", name=None):
    return [
        person.id_number,
        person.real_name if name is None else name,
        policy,
        premium,
        month,
        manager,
        cover,
    ]


def insured_list(*rows, name: str = "insured.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")
