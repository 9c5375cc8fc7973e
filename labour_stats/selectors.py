"""Reads of labour-market statistics: only published wage guidance leaves the admin; supply and demand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from .choices import GuidanceStatus
from .models import SupplyDemandStat, WageGuidance, WageGuidanceCell

# --- reads --------------------------------------------------------------------------------------------------


def published_cells():
    """Cells of published months only (drafts are never shown outside the admin)."""
    return WageGuidanceCell.objects.filter(guidance__status=GuidanceStatus.PUBLISHED).select_related(
        "guidance", "occupation", "occupation__parent", "scope_unit"
    )


def published_median(*, occupation, scope_unit=None, on: dt.date | None = None) -> Decimal | None:
    """The published median (P50) for an occupation: from the latest published month on or before ``on``
    that has a cell for it — the county's cell first, else the city-wide one; None when nothing is
    published. (A newer month's city-wide figure wins over an older month's county figure.)"""
    on = on or timezone.localdate()
    unit_id = getattr(scope_unit, "pk", scope_unit)
    cells = WageGuidanceCell.objects.filter(
        guidance__status=GuidanceStatus.PUBLISHED,
        guidance__month__lte=on,
        occupation=occupation,
    )
    if unit_id is not None:
        cells = cells.filter(Q(scope_unit_id=unit_id) | Q(scope_unit__isnull=True))
    else:
        cells = cells.filter(scope_unit__isnull=True)
    cell = (
        cells.order_by("-guidance__month", F("scope_unit_id").asc(nulls_last=True))
        .values_list("p50", flat=True)
        .first()
    )
    return cell


def median_trend(
    *, occupation_id: int, scope_unit_id: int | None = None, months: int = 12
) -> list[tuple[dt.date, Decimal]]:
    """(month, P50) of the last ``months`` published months for one occupation and county (or city)."""
    cells = WageGuidanceCell.objects.filter(
        guidance__status=GuidanceStatus.PUBLISHED, occupation_id=occupation_id
    )
    cells = (
        cells.filter(scope_unit_id=scope_unit_id) if scope_unit_id else cells.filter(scope_unit__isnull=True)
    )
    rows = list(cells.order_by("-guidance__month").values_list("guidance__month", "p50")[:months])
    rows.reverse()
    return rows


def published_months() -> list[dt.date]:
    return list(
        WageGuidance.objects.filter(status=GuidanceStatus.PUBLISHED)
        .order_by("-month")
        .values_list("month", flat=True)
    )


def supply_demand_list():
    return SupplyDemandStat.objects.select_related("occupation", "scope_unit")


def supply_demand_months() -> list[dt.date]:
    return list(SupplyDemandStat.objects.order_by("-month").values_list("month", flat=True).distinct())
