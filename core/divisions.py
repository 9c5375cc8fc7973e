"""Loading GB/T 2260 divisions and the city's scope units from the CSV files in core/data."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .choices import DivisionLevel, ScopeUnitKind
from .models import Division, ScopeUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("divisions_cn.csv", "towns_shandong.csv")
LEVEL_ORDER = {
    DivisionLevel.PROVINCE: 0,
    DivisionLevel.CITY: 1,
    DivisionLevel.COUNTY: 2,
    DivisionLevel.TOWN: 3,
}


def read_rows() -> list[dict]:
    rows = []
    for name in FILES:
        with open(DATA_DIR / name, encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    rows.sort(key=lambda r: (LEVEL_ORDER[r["level"]], r["code"]))
    return rows


@transaction.atomic
def load_divisions() -> int:
    """Insert or update every division (parents first). Idempotent; returns the number of rows."""
    rows = read_rows()
    existing = set(Division.objects.values_list("code", flat=True))
    known = {r["code"] for r in rows}
    new, changed = [], []
    for r in rows:
        # Towns of functional zones (codes like 370772) name a parent that GB/T 2260 does not list: they are
        # kept without a parent and found by code prefix once staff add the zone as a scope unit.
        parent = r["parent_code"] if r["parent_code"] in known else None
        obj = Division(code=r["code"], name=r["name"], level=r["level"], parent_id=parent)
        (changed if obj.code in existing else new).append(obj)
    Division.objects.bulk_create(new, batch_size=1000)
    Division.objects.bulk_update(changed, ["name", "level", "parent"], batch_size=1000)
    return len(rows)


@transaction.atomic
def sync_city_scope_units(city_code: str | None = None) -> list[ScopeUnit]:
    """Make every county of the deployment's city a scope unit (zones are added by staff)."""
    city_code = city_code or settings.LINGONG_CITY_CODE
    units = []
    for county in Division.objects.filter(parent_id=city_code, level=DivisionLevel.COUNTY):
        unit, _ = ScopeUnit.objects.update_or_create(
            code=county.code,
            defaults={"name": county.name, "kind": ScopeUnitKind.COUNTY, "division": county},
        )
        units.append(unit)
    return units


def towns_of(unit: ScopeUnit):
    """The towns (乡镇、街道) of a scope unit: a county's children, or a functional zone's towns by code
    prefix (statistical codes such as 370772xxx name zones that GB/T 2260 does not list)."""
    towns = Division.objects.filter(level=DivisionLevel.TOWN)
    if unit.kind == ScopeUnitKind.ZONE:
        return towns.filter(code__startswith=unit.code)
    return towns.filter(parent_id=unit.code)
