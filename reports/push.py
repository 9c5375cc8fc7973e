"""The push (issue 18): a county submits the figures the portal cannot compute (``method = submitted``,
e.g. 城镇新增就业 from its own systems) as idempotent upserts keyed by indicator, period, org unit and
breakdown. One call is one transaction and all or nothing: a row naming an unknown indicator, an indicator
the portal computes, or a period locked for that unit (``reports.approvals``) is a conflict, and any conflict
answers 409 with the rows at fault and writes nothing. ``dry_run`` reports what would happen and writes
nothing. The same payload twice creates once and then reports every row ``ignored``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import Conflict, NotPermitted

from .approvals import lock_months, locked_units
from .calculators import CENT
from .choices import FactSource, IndicatorMethod
from .models import Fact, Indicator
from .orgunits import resolve
from .periods import parse_period
from .services import refresh_submitted_city

PUSH = "reports.submit_fact"
CREATED, UPDATED, IGNORED, CONFLICT = "created", "updated", "ignored", "conflict"


@dataclass(frozen=True)
class PushRow:
    """One row as the client sent it (validated for shape by the API's serializer)."""

    indicator: str
    period: str
    org_unit: str
    value: Decimal
    breakdown: str = ""
    breakdown_value: str = ""


@dataclass
class PushSummary:
    dry_run: bool
    created: int = 0
    updated: int = 0
    ignored: int = 0
    rows: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "ignored": self.ignored,
            "conflicts": len(self.conflicts),
            "rows": self.rows,
        }


def _conflict(index: int, row: PushRow, field_name: str, code: str, message: str) -> dict:
    return {
        "row": index,
        "field": field_name,
        "code": code,
        "message": message,
        "indicator": row.indicator,
        "period": row.period,
        "org_unit": row.org_unit,
    }


@transaction.atomic
def push(rows: list[PushRow], *, actor, dry_run: bool = False, request=None) -> PushSummary:
    """Upsert ``rows`` for ``actor`` (a county token or county staff: their units only — another unit is
    404 as everywhere). Raises ``Conflict`` (409, the summary's conflicting rows in ``fields["rows"]``)."""
    if not actor.has_perm(PUSH):
        raise NotPermitted()
    summary = PushSummary(dry_run=dry_run)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={r.indicator for r in rows})}
    periods = {code: parse_period(code, field="period") for code in {r.period for r in rows}}
    org_units = {code: resolve(code, principal=actor) for code in {r.org_unit for r in rows}}
    for period in sorted(periods.values(), key=lambda p: p.code):
        lock_months(period)
    locked = {code: locked_units(period) for code, period in periods.items()}
    existing = {
        (f.indicator_id, f.period, f.org_unit_id, f.breakdown_key, f.breakdown_value): f
        for f in Fact.objects.select_for_update(of=("self",))
        .filter(indicator__in=[i.pk for i in indicators.values()], period__in=list(periods))
        .order_by("pk")
    }
    now = timezone.now()
    create, update, seen = [], [], {}
    for index, row in enumerate(rows):
        indicator, period, unit = indicators.get(row.indicator), periods[row.period], org_units[row.org_unit]
        result = {"row": index, "indicator": row.indicator, "period": period.code, "org_unit": unit.code}
        if indicator is None:
            summary.conflicts.append(
                _conflict(
                    index,
                    row,
                    "indicator",
                    "unknown_indicator",
                    _("没有这个统计指标：%(code)s。") % {"code": row.indicator},
                )
            )
        elif indicator.method != IndicatorMethod.SUBMITTED:
            summary.conflicts.append(
                _conflict(
                    index,
                    row,
                    "indicator",
                    "computed_indicator",
                    _("%(code)s 由平台根据业务数据计算，不接受报送。") % {"code": row.indicator},
                )
            )
        elif unit.unit_id is None and indicator.additive:
            summary.conflicts.append(
                _conflict(
                    index, row, "org_unit", "city_is_sum", _("全市数由各县（市、区）报送数加总，不单独报送。")
                )
            )
        elif unit.unit_id in locked[row.period]:
            summary.conflicts.append(
                _conflict(
                    index,
                    row,
                    "period",
                    "period_locked",
                    _("%(p)s 已报送或审核锁定，不能再报送。") % {"p": row.period},
                )
            )
        else:
            key = (indicator.pk, period.code, unit.unit_id, row.breakdown, row.breakdown_value)
            if key in seen:
                summary.conflicts.append(
                    _conflict(
                        index,
                        row,
                        "non_field_errors",
                        "duplicate_row",
                        _("与第 %(n)s 行重复。") % {"n": seen[key] + 1},
                    )
                )
                continue
            seen[key] = index
            value = Decimal(row.value).quantize(CENT)
            fact = existing.get(key)
            if fact is None:
                result["result"] = CREATED
                create.append(
                    Fact(
                        indicator=indicator,
                        period=period.code,
                        period_kind=period.kind,
                        period_start=period.start,
                        period_end=period.end,
                        org_unit_id=unit.unit_id,
                        breakdown_key=row.breakdown,
                        breakdown_value=row.breakdown_value,
                        value=value,
                        source=FactSource.SUBMITTED,
                        computed_at=now,
                    )
                )
            elif fact.value != value:
                result["result"], result["before"] = UPDATED, f"{fact.value:.2f}"
                fact.value, fact.computed_at = value, now
                update.append(fact)
            else:
                result["result"] = IGNORED
            result["value"] = f"{value:.2f}"
            summary.rows.append(result)
            continue
        summary.rows.append({**result, "result": CONFLICT})
    summary.created, summary.updated = len(create), len(update)
    summary.ignored = len(rows) - summary.created - summary.updated - len(summary.conflicts)
    if summary.conflicts:
        raise Conflict(
            _("有 %(n)s 行不能报送，本次没有写入任何数据。") % {"n": len(summary.conflicts)},
            code="push_conflict",
            fields={
                "rows": {str(c["row"]): {c["field"]: [c["message"]]} for c in summary.conflicts},
            },
        )
    if not dry_run and (create or update):
        Fact.objects.bulk_create(create)
        Fact.objects.bulk_update(update, ["value", "computed_at"])
        for indicator_id, period_code in {(f.indicator_id, f.period) for f in [*create, *update]}:
            indicator = next(i for i in indicators.values() if i.pk == indicator_id)
            if indicator.additive:
                refresh_submitted_city(indicator, parse_period(period_code), now=now)
        unit_ids = {u.unit_id for u in org_units.values()}
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            after={
                "push": "reports.fact",
                "periods": sorted(periods),
                "org_units": sorted(org_units),
                "created": summary.created,
                "updated": summary.updated,
                "ignored": summary.ignored,
            },
            request=request,
            scope_unit_id=next(iter(unit_ids)) if len(unit_ids) == 1 else None,
        )
    return summary
