"""The only writer of facts: ``compute(period)`` recomputes every computed indicator of a period for every
scope unit and the city from the raw records (``reports.calculators``), with the breakdowns computed so far
(occupation for postings, hires, settled work orders, wages, demand and seekers), then the ratio
indicators (``RATIOS``, non-additive) from those figures, in one transaction, idempotently —
a fact whose value has not changed is left as it was (its ``computed_at`` too), so a second run right
after the first changes no row. The city's row of an additive indicator is the sum of its units' rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import queue

from .approvals import lock_months, locked_units, refuse_if_city_locked
from .calculators import (
    BREAKDOWNS,
    CALCULATORS,
    CENT,
    CITY_CALCULATORS,
    PERSON_BREAKDOWNS,
    RATIOS,
    Ratio,
    ratio_of,
    shared_reads,
    suppressed,
)
from .choices import FactSource, IndicatorMethod
from .models import Fact, Indicator
from .orgunits import units
from .periods import Period, month_period, parse_period

TOTAL = ("", "")


@dataclass
class ComputeSummary:
    period: str
    indicators: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


def _figures(indicator: Indicator, period: Period, unit_ids: list[int]) -> dict[tuple, Decimal]:
    """(org unit id or None, breakdown key, breakdown value) -> figure: the totals for every unit (0 where
    nothing happened; for a median only the units with rows) and the city; each computed breakdown's cells
    that have rows, and their city sums."""
    if not indicator.additive and indicator.code not in CITY_CALCULATORS:
        raise NotImplementedError(f"{indicator.code}: a non-additive indicator needs a city calculator")
    per_unit = CALCULATORS[indicator.code](period)
    known = set(unit_ids)
    if indicator.additive:
        values = {(u, *TOTAL): Decimal(per_unit.get(u, 0)).quantize(CENT) for u in unit_ids}
    else:  # a median of no rows is no figure, not 0: only the units with rows get one
        values = {(u, *TOTAL): Decimal(per_unit[u]).quantize(CENT) for u in unit_ids if u in per_unit}
    city = _city_total(indicator, period, [values[(u, *TOTAL)] for u in unit_ids if (u, *TOTAL) in values])
    if city is not None:
        values[(None, *TOTAL)] = city
    for key, calculator in BREAKDOWNS.get(indicator.code, {}).items():
        cells: dict[tuple[int | None, str], Decimal] = {}
        for (unit_id, value), figure in sorted(calculator(period).items()):
            if unit_id in known:
                cells[(unit_id, value)] = Decimal(figure).quantize(CENT)
                cells[(None, value)] = cells.get((None, value), Decimal("0.00")) + cells[(unit_id, value)]
        if key in PERSON_BREAKDOWNS:  # people's counts: small cells never stored (as wage guidance's)
            for cell in suppressed(cells, settings.LINGONG_REPORTS_MIN_CELL):
                del cells[cell]
        for (unit_id, value), figure in cells.items():
            values[(unit_id, key, value)] = figure
    return values


def _ratio_figures(
    ratio: Ratio, figures: dict[str, dict[tuple, Decimal]], period, unit_ids
) -> dict[tuple, Decimal]:
    """A ratio indicator's cells (``reports.calculators.RATIOS``) from the figures of its numerator and
    denominator computed in the same run: every cell (unit, city, breakdown cell) whose denominator is not 0;
    a missing numerator cell is 0. The city's ratio is the city's numerator ÷ the city's denominator."""

    def base(code: str) -> dict[tuple, Decimal]:
        if code not in figures:  # not in the catalogue's computed rows: compute it for the ratio only
            figures[code] = _figures(Indicator(code=code, additive=True), period, unit_ids)
        return figures[code]

    numerators, denominators = base(ratio.numerator), base(ratio.denominator)
    # the breakdowns both parts compute (a people's breakdown of the seekers alone gives the ratio no cell)
    keys = {""} | (set(BREAKDOWNS.get(ratio.numerator, {})) & set(BREAKDOWNS.get(ratio.denominator, {})))
    values = {}
    for cell, denominator in denominators.items():
        if cell[1] not in keys:
            continue
        value = ratio_of(numerators.get(cell, Decimal(0)), denominator, ratio.scale)
        if value is not None:
            values[cell] = value
    return values


def _hold(
    indicator: Indicator, values: dict[tuple, Decimal], existing: dict, held: set[int], *, ratio: bool
) -> dict[tuple, Decimal]:
    """``values`` with the cells of the units whose period is locked (``held``) as they are stored, not as
    computed now; an additive indicator's city cells summed again from its units' (held ones included), so
    that the city still equals the sum of its units. A ratio's city cell is computed from its (held-
    consistent) numerator and denominator; a median's city cell from today's rows (the city is not locked)."""
    kept = {cell: value for cell, value in values.items() if cell[0] not in held}
    for (indicator_id, unit_id, key, value), fact in existing.items():
        if indicator_id == indicator.pk and unit_id in held:
            kept[(unit_id, key, value)] = fact.value
    if indicator.additive and not ratio:
        # a people's breakdown keeps its city cells as computed (the suppressed units' cells are in them and
        # must not be derivable, so they are not re-summed from what is published)
        city: dict[tuple, Decimal] = {TOTAL: Decimal("0.00")}
        for (unit_id, key, value), figure in kept.items():
            if unit_id is not None and key not in PERSON_BREAKDOWNS:
                city[(key, value)] = city.get((key, value), Decimal("0.00")) + figure
        kept = {
            cell: figure
            for cell, figure in kept.items()
            if cell[0] is not None or cell[1] in PERSON_BREAKDOWNS
        }
        kept.update({(None, *cell): figure for cell, figure in city.items()})
    return kept


def _city_total(indicator: Indicator, period: Period, unit_figures: list[Decimal]) -> Decimal | None:
    """The city's total: the sum of its units' for an additive indicator; otherwise (a median) the
    indicator's own city calculator over the city's rows (ADR 0042), None when it has none (no row)."""
    if indicator.additive:
        return sum(unit_figures, Decimal("0.00"))
    figure = CITY_CALCULATORS[indicator.code](period)
    return None if figure is None else Decimal(figure).quantize(CENT)


@transaction.atomic
def compute(
    period: Period | str,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ComputeSummary:
    """Recompute ``period`` (a ``Period`` or its code). Concurrent runs queue on the catalogue's row locks.
    ``progress(done, total)`` is called after each indicator (a run's progress for the page).

    A period the city has accepted is refused (409); the units whose period is locked (submitted or
    accepted, ``reports.approvals``) keep their stored facts."""
    period = parse_period(period) if isinstance(period, str) else period
    now = now or timezone.now()
    lock_months(period)
    refuse_if_city_locked(period)
    held = locked_units(period) - {None}
    indicators = list(
        Indicator.objects.select_for_update()
        .filter(method=IndicatorMethod.COMPUTED, code__in=[*CALCULATORS, *RATIOS])
        .order_by("sort", "code")
    )
    unit_ids = [u.pk for u in units()]
    existing = {
        (f.indicator_id, f.org_unit_id, f.breakdown_key, f.breakdown_value): f
        for f in Fact.objects.filter(period=period.code, source=FactSource.COMPUTED)
    }
    summary = ComputeSummary(period=period.code, indicators=len(indicators))
    create, update, seen = [], [], set()
    figures: dict[str, dict[tuple, Decimal]] = {}

    def stage(indicator: Indicator, cells: dict[tuple, Decimal]) -> None:
        """Queue the writes that bring ``indicator``'s stored facts to ``cells``."""
        for (unit_id, breakdown_key, breakdown_value), value in cells.items():
            key = (indicator.pk, unit_id, breakdown_key, breakdown_value)
            seen.add(key)
            fact = existing.get(key)
            if fact is None:
                create.append(
                    Fact(
                        indicator=indicator,
                        period=period.code,
                        period_kind=period.kind,
                        period_start=period.start,
                        period_end=period.end,
                        org_unit_id=unit_id,
                        breakdown_key=breakdown_key,
                        breakdown_value=breakdown_value,
                        value=value,
                        source=FactSource.COMPUTED,
                        computed_at=now,
                    )
                )
            elif fact.value != value:
                fact.value, fact.computed_at = value, now
                update.append(fact)
            else:
                summary.unchanged += 1

    with shared_reads():  # rows several indicators stand on are read once (reports.calculators)
        for done, indicator in enumerate(
            sorted(indicators, key=lambda i: i.code in RATIOS), 1
        ):  # ratios last
            ratio = indicator.code in RATIOS
            if ratio:
                figures[indicator.code] = _ratio_figures(RATIOS[indicator.code], figures, period, unit_ids)
            else:
                figures[indicator.code] = _figures(indicator, period, unit_ids)
            if held:
                figures[indicator.code] = _hold(
                    indicator, figures[indicator.code], existing, held, ratio=ratio
                )
            stage(indicator, figures[indicator.code])
            if progress is not None:
                progress(done, len(indicators))
    for indicator in Indicator.objects.filter(method=IndicatorMethod.SUBMITTED, additive=True):
        stage(indicator, submitted_city_cells(indicator, period))
    stale = [f.pk for key, f in existing.items() if key not in seen]
    if stale:
        summary.deleted = Fact.objects.filter(pk__in=stale).delete()[0]
    Fact.objects.bulk_create(create)
    Fact.objects.bulk_update(update, ["value", "computed_at"])
    summary.created, summary.updated = len(create), len(update)
    return summary


def submitted_city_cells(indicator: Indicator, period: Period) -> dict[tuple, Decimal]:
    """The city's cells of an additive indicator the counties submit: the sum of its units' submitted
    figures (total and each breakdown cell), where at least one unit submitted."""
    cells: dict[tuple, Decimal] = {}
    rows = Fact.objects.filter(
        indicator=indicator, period=period.code, source=FactSource.SUBMITTED, org_unit__isnull=False
    ).values_list("breakdown_key", "breakdown_value", "value")
    for key, value, figure in rows:
        cells[(None, key, value)] = cells.get((None, key, value), Decimal("0.00")) + figure
    return cells


@transaction.atomic
def refresh_submitted_city(indicator: Indicator, period: Period, *, now: dt.datetime | None = None) -> None:
    """After a push: the city's cells of ``indicator`` for ``period`` summed again from its units'."""
    now = now or timezone.now()
    cells = submitted_city_cells(indicator, period)
    stored = {
        (None, f.breakdown_key, f.breakdown_value): f
        for f in Fact.objects.select_for_update(of=("self",))
        .order_by("pk")
        .filter(indicator=indicator, period=period.code, org_unit__isnull=True, source=FactSource.COMPUTED)
    }
    Fact.objects.filter(pk__in=[f.pk for cell, f in stored.items() if cell not in cells]).delete()
    for (unit_id, key, value), figure in cells.items():
        fact = stored.get((unit_id, key, value))
        if fact is None:
            Fact.objects.create(
                indicator=indicator,
                period=period.code,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                org_unit=None,
                breakdown_key=key,
                breakdown_value=value,
                value=figure,
                source=FactSource.COMPUTED,
                computed_at=now,
            )
        elif fact.value != figure:
            fact.value, fact.computed_at = figure, now
            fact.save(update_fields=["value", "computed_at"])


def compute_open_month(*, today: dt.date | None = None) -> ComputeSummary:
    """The nightly run: the month that is still open (today's, Asia/Shanghai)."""
    return compute(month_period(today or timezone.localdate()))


def compute_enqueue(period: Period | str) -> None:
    """Ask for a recompute in the background (on commit)."""
    code = period if isinstance(period, str) else period.code
    queue.enqueue("reports.tasks.compute_period_task", period=parse_period(code).code)
