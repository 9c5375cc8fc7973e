"""The escalation scan of case clocks (ADR 0020): every running clock past ``LINGONG_CASE_ESCALATE_SHARE`` of
its time is escalated once, and once more past its due date — the threshold's column set, an audit row by
the named system user, and each of the county's staff told in the inbox (message keys per clock, threshold
and person, so a rerun sends nothing).

In batches (``BATCH`` clocks per transaction): the batch's clocks locked (``skip_locked``: a concurrent scan
takes others), their columns, audit rows and messages written in a handful of statements. Over a million
cases the first scan meets tens of thousands of due clocks (issue 16: ≤ 30 s on L); a row at a time it took
~20 queries and a commit per clock."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_entry
from core.choices import AuditAction
from core.models import AuditLog
from core.notifications import inbox_deliver_many

from ..models import CaseClock
from .cases import _county_staff, system_user, warn_at

BATCH = 500


def _threshold(clock: CaseClock, now) -> str | None:
    """The threshold a clock reaches now and has not been escalated at (setting its columns), or None."""
    if clock.escalated_overdue_at is None and now >= clock.current_due_at:
        clock.escalated_overdue_at = now
        clock.escalated_warn_at = clock.escalated_warn_at or now
        return "overdue"
    if clock.escalated_warn_at is None and now >= warn_at(clock):
        clock.escalated_warn_at = now
        return "warn"
    return None


def _escalate_batch(pks: list[int], *, now, actor, staff_of: dict[int, list[int]]) -> int:
    with transaction.atomic():
        clocks = list(
            CaseClock.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case")
            .filter(pk__in=pks, stopped_at__isnull=True)
            .order_by("pk")
        )
        changed, audits, messages = [], [], []
        for clock in clocks:
            threshold = _threshold(clock, now)
            if threshold is None:
                continue
            changed.append(clock)
            case = clock.case
            due = f"{clock.current_due_on:%Y-%m-%d}"
            entry = audit_entry(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=case,
                after={"escalated": threshold, "clock": clock.kind, "due_on": due},
                reason=_("办理时限督办"),
            )
            audits.append(entry)
            if threshold == "overdue":
                body = _("投诉案件 %(number)s 的%(clock)s已于 %(due)s 届满，请立即处理。")
            else:
                body = _("投诉案件 %(number)s 的%(clock)s将于 %(due)s 届满，请及时处理。")
            body = body % {"number": case.number, "clock": clock.get_kind_display(), "due": due}
            if case.scope_unit_id not in staff_of:
                staff_of[case.scope_unit_id] = _county_staff(case.scope_unit_id)
            url = f"/admin/disputes/case/{case.pk}/change/"
            messages += [
                (user_id, body, url, f"caseclock:{clock.pk}:{threshold}:{user_id}")
                for user_id in staff_of[case.scope_unit_id]
            ]
        if not changed:
            return 0
        CaseClock.objects.bulk_update(changed, ["escalated_warn_at", "escalated_overdue_at"])
        AuditLog.objects.bulk_create(audits)
        inbox_deliver_many(messages)
    return len(changed)


def case_escalate_due(*, now=None, limit: int = 1000) -> int:
    """Escalate up to ``limit`` due clocks, the nearest due first (a scan is run until it returns 0 by the
    periodic task's next runs; ``bench.escalation`` runs it to completion). Acts as the named system user."""
    now = now or timezone.now()
    candidates = list(
        CaseClock.objects.due_for_escalation(now)
        .order_by("current_due", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return 0
    actor = system_user()
    staff_of: dict[int, list[int]] = {}
    done = 0
    for start in range(0, len(candidates), BATCH):
        done += _escalate_batch(candidates[start : start + BATCH], now=now, actor=actor, staff_of=staff_of)
    return done
