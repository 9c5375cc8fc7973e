"""The public notice (公示, ADR 0030): applications the city approved are listed publicly (masked names and
IDs) from ``notice_start`` to ``notice_end``; anyone may object meanwhile (anonymous objections are
rate-limited by address); staff uphold an objection (the application goes back: returned, to be submitted
again and reviewed by the county) or dismiss it; a daily task concludes the notices that have ended with no
open or upheld objection — approved, with the ``Entitlement`` rows (source: application) of the approved
months and amount."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, RateLimited
from core.http import client_ip
from core.masking import mask_id_number, mask_name
from core.months import next_month
from core.permissions import require_access, signed_in

from ..choices import ApplicationStatus, EntitlementSource, ObjectionStatus
from ..models import APPLICATION_WORKFLOW, OBJECTION_WORKFLOW, Application, Entitlement, Objection
from ..permissions import can_handle_objection
from .applications import _tell

S = ApplicationStatus
CENT = Decimal("0.01")
MAX_OBJECTION = 2000


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def in_notice(today: dt.date | None = None):
    """The applications on the public notice today (the public page's and the API's rows)."""
    today = today or timezone.localdate()
    return (
        Application.objects.filter(status=S.PUBLIC_NOTICE, notice_start__lte=today, notice_end__gte=today)
        .select_related("person", "program_type", "scope_unit")
        .order_by("notice_end", "number")
    )


def notice_row(app: Application) -> dict:
    """What the public notice shows of an application: masked name and ID, never more."""
    return {
        "pk": app.pk,
        "number": app.number,
        "name": mask_name(app.person.real_name),
        "id_number": mask_id_number(app.person.id_number),
        "program": app.program_type.name,
        "county": app.scope_unit.name,
        "period_start": app.period_start,
        "period_end": app.period_end,
        "amount": app.amount_approved,
        "notice_start": app.notice_start,
        "notice_end": app.notice_end,
    }


# --- objections ---------------------------------------------------------------------------------------------


def _anon_key(request) -> str:
    return f"subsidy-objection:anon:{client_ip(request) or 'unknown'}"


def _check_anon_limit(actor, request) -> None:
    if signed_in(actor):
        return
    if (cache.get(_anon_key(request)) or 0) >= settings.LINGONG_SUBSIDY_OBJECTION_ANON_LIMIT:
        raise RateLimited(_("提交太频繁，请一小时后再试。"))


def _count_anon(actor, request) -> None:
    if signed_in(actor):
        return
    key = _anon_key(request)
    cache.add(key, 0, 3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)


@transaction.atomic
def objection_submit(*, actor, application: Application, text: str, request=None) -> Objection:
    """Anyone objects to an application on the notice, while the notice runs."""
    _check_anon_limit(actor, request)
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("请写明异议的事实和理由。"), "required")
    if len(text) > MAX_OBJECTION:
        raise _invalid("text", _("异议内容不超过 %(n)s 字。") % {"n": MAX_OBJECTION}, "too_long")
    today = timezone.localdate()
    visible = in_notice(today).filter(pk=application.pk).exists()
    require_access(allowed=visible, visible=False)  # not on the notice: 404 for the public
    objection = Objection.objects.create(
        application_id=application.pk, text=text, submitted_by=actor if signed_in(actor) else None
    )
    OBJECTION_WORKFLOW.record(objection, to_status=ObjectionStatus.OPEN, actor=actor)
    audit_record(
        actor=actor if signed_in(actor) else None,
        action=AuditAction.CREATE,
        obj=objection,
        after={"application": application.pk, "anonymous": not signed_in(actor)},
        request=request,
        label=None if signed_in(actor) else _("公众（匿名）"),
    )
    _count_anon(actor, request)
    return objection


@transaction.atomic
def objection_handle(*, actor, objection: Objection, uphold: bool, note: str = "", request=None) -> Objection:
    """Staff (county in scope, or city) decide an objection. Upheld: the application leaves the notice —
    returned, with the note as the reason (it is submitted again and reviewed again from the county)."""
    locked = OBJECTION_WORKFLOW.lock(
        objection, queryset=Objection.objects.visible_to(actor).select_related("application")
    )
    application = locked.application
    require_access(allowed=can_handle_objection(actor, application.scope_unit_id), visible=True)
    note = (note or "").strip()[:1000]
    if uphold and not note:
        raise _invalid("handling_note", _("认定异议成立时请填写处理意见（作为退回原因）。"), "required")
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked.handling_note = note
    target = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
    if uphold:
        app = APPLICATION_WORKFLOW.lock(application.pk)
        app.return_reason = _("公示期间异议成立：%(note)s") % {"note": note}
        APPLICATION_WORKFLOW.move(
            app, S.RETURNED, actor=actor, reason=app.return_reason, fields=["return_reason"], request=request
        )
        _tell(
            app,
            _("您的补贴申请（%(number)s）公示期间收到异议，经核实成立，已退回：%(note)s")
            % {"number": app.number, "note": note},
            f"subsidy-application:{app.pk}:objection:{locked.pk}",
        )
    OBJECTION_WORKFLOW.move(
        locked,
        target,
        actor=actor,
        reason=note,
        fields=["handled_by", "handled_at", "handling_note"],
        request=request,
    )
    return locked


# --- concluding the notices ---------------------------------------------------------------------------------


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def _open_objections(app: Application):
    """The open objections raised since the application last went on notice (an earlier round's are about
    what was reviewed again since)."""
    since = (
        app.events.filter(to_status=S.PUBLIC_NOTICE)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    rows = app.objections.filter(status=ObjectionStatus.OPEN)
    return rows.filter(submitted_at__gte=since) if since else rows


def entitlement_rows(application: Application) -> list[tuple[dt.date, Decimal]]:
    """The (month, amount) rows an approved application puts on record: a monthly program one row per month
    of the period (the approved amount shared equally, the cents left over on the last month); any other
    cycle one row, on the first month of the period not yet on record for the person and program."""
    amount = application.amount_approved or Decimal("0.00")
    months = _months(application.period_start, application.period_end)
    if application.program_type.cycle_strategy == "monthly":
        share = (amount / len(months)).quantize(CENT, rounding=ROUND_DOWN)
        rows = [(m, share) for m in months]
        rows[-1] = (months[-1], amount - share * (len(months) - 1))
        return rows
    taken = set(
        Entitlement.objects.filter(
            person_id=application.person_id,
            program_type_id=application.program_type_id,
            month__in=months,
            payer_id=application.payer_id,  # a platform's or agency's claim: per payer (ADR 0037)
        ).values_list("month", flat=True)
    )
    free = [m for m in months if m not in taken]
    if not free:
        raise InvalidTransition(_("该期间各月份都已有享受记录，不能重复记录。"), code="months_taken")
    return [(free[0], amount)]


@transaction.atomic
def notice_conclude(*, application_id: int, today: dt.date | None = None) -> Application | None:
    """Approve one application whose notice has ended with no open or upheld objection (a second run does
    nothing): approved, and its entitlements recorded."""
    today = today or timezone.localdate()
    app = APPLICATION_WORKFLOW.lock(application_id, select_related=("program_type",))
    if app.status != S.PUBLIC_NOTICE or app.notice_end is None or app.notice_end >= today:
        return None
    if _open_objections(app).exists():
        return None  # an open objection waits for staff (an upheld one has already returned it)
    rows = entitlement_rows(app)
    Entitlement.objects.bulk_create(
        [
            Entitlement(
                person_id=app.person_id,
                program_type_id=app.program_type_id,
                month=month,
                amount=amount,
                source=EntitlementSource.APPLICATION,
                reference=app.number,
                decision_id=app.decision_id,
                application=app,
                payer_id=app.payer_id,
            )
            for month, amount in rows
        ]
    )
    app.approved_at = timezone.now()
    APPLICATION_WORKFLOW.move(
        app,
        S.APPROVED,
        actor=None,
        reason=_("公示期满无异议"),
        fields=["approved_at"],
        audit={"entitlements": [m.isoformat() for m, _a in rows]},
    )
    _tell(
        app,
        _("您的补贴申请（%(number)s）公示期满，已批准，核定 %(amount)s 元，等待发放。")
        % {"number": app.number, "amount": app.amount_approved},
        f"subsidy-application:{app.pk}:approved",
    )
    return app


def notices_conclude(today: dt.date | None = None) -> int:
    """The daily task: conclude every notice that ended before today. Each application in its own
    transaction; safe to run twice."""
    today = today or timezone.localdate()
    ids = list(
        Application.objects.filter(status=S.PUBLIC_NOTICE, notice_end__lt=today).values_list("id", flat=True)
    )
    done = 0
    for pk in ids:
        if notice_conclude(application_id=pk, today=today) is not None:
            done += 1
    return done
