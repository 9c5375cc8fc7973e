"""Insured-list claims (ADR 0037): a platform or domestic-service agency on record claims the
accident-insurance subsidy (意外伤害保险补贴) for a month with its insured list (CSV or XLSX).

1. **The rows** are upserted into ``InsuredPremium`` keyed by (person, payer, policy number, month). Per row
   the outcome is one of ``ClaimRowOutcome``: created; identical (as on record or as an earlier row of the
   file: a second upload of the same file changes nothing); conflict (other figures than on record, or than
   an earlier row of the file — reported, not applied); unknown person (no one on the portal with the
   resident ID, or another name); invalid (a row the claim cannot read, or of another month).
2. **Per insured person** (in id order, each person's row locked while the amount is computed, as the
   training claims do — ADR 0024) the calculator runs over this list's rows of the person: a row covered by
   the platform's per-order occupational-injury premium (职业伤害保障, the list says so or names the work
   order it covers), a manager's row, an age outside 16–60 or no work for the payer in the month gets 0 with
   the reason; the yearly cap counts every payer's approved and pending amounts for the person and year
   (``eligibility.granted_this_year``), so two agencies claiming for the same person never exceed it
   together. A positive amount becomes one accident-insurance application, submitted (the same workflow,
   review, notice and disbursement as any other; ``payer`` and ``insured_claim`` say who claimed it).

A dry run reports the same outcomes and amounts and writes no premium, decision or application (the claim
row keeps its report).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.masking import mask_id_number, mask_name
from core.months import month_start
from core.permissions import signed_in
from jobs.choices import EmployerKind, VerificationStatus
from jobs.models import EmployerProfile
from work.models import WorkOrder

from ..choices import ApplicationStatus, ClaimRowOutcome, PayerKind
from ..models import APPLICATION_WORKFLOW, Application, InsuredListClaim, InsuredPremium, ProgramType
from ..strategies.accident import AccidentFacts, PremiumRow
from ..strategies.registry import yuan
from ..tables import read_table, rows_with_header
from . import applications as app_services
from .contributions import MAX_BYTES, parse_amount, parse_month
from .eligibility import Answer, _run, decision_record, employment_record, granted_this_year, parameter_for

PROGRAM_CODE = "gig_accident_insurance"
# one upload runs in the request: 500 rows took 19 s (about 18 queries a person) on the shared test machine,
# so a longer list is split (a task with progress, as the contribution import has, is the next step)
MAX_ROWS = 500
COLUMNS = {
    "resident_id": ("身份证号码", "身份证号", "公民身份号码", "resident_id", "id_number"),
    "name": ("姓名", "被保险人", "name"),
    "policy": ("保单号", "保险单号", "policy_number", "policy"),
    "premium": ("保费", "保费（元）", "premium"),
    "month": ("保障月份", "投保月份", "月份", "month"),
    "manager": ("管理人员", "是否管理人员", "manager"),
    "injury_cover": ("职业伤害保障", "单笔职业伤害保障", "injury_cover"),
}
REQUIRED = ("resident_id", "policy", "premium", "month")
YES = {"是", "y", "yes", "true", "1", "√"}
NO = {"", "否", "n", "no", "false", "0", "×"}
COVER_YES = YES - {"1"}
COVER_NO = NO - {"0"}
EXCLUSION_WORDS = {
    "injury_covered": lambda: _("已由平台单笔职业伤害保障覆盖，不再补贴"),
    "manager": lambda: _("管理人员，不在补贴范围"),
    "age": lambda: _("投保月份不在补贴年龄范围内"),
    "employment_record": lambda: _("当月在本平台没有与本单位的用工记录"),
    "employment_record_unknown": lambda: _("需要用工登记记录"),
}
PROBLEMS = (ClaimRowOutcome.CONFLICT, ClaimRowOutcome.UNKNOWN_PERSON, ClaimRowOutcome.INVALID)
COUNTERS = {
    ClaimRowOutcome.CREATED: "created_count",
    ClaimRowOutcome.IDENTICAL: "identical_count",
    ClaimRowOutcome.CONFLICT: "conflict_count",
    ClaimRowOutcome.UNKNOWN_PERSON: "unknown_count",
    ClaimRowOutcome.INVALID: "invalid_count",
}


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def claiming_employer(actor) -> EmployerProfile:
    """The employer the actor acts for: its own approved registration as an organisation (a platform or a
    domestic-service agency). Anyone else: 403."""
    if not signed_in(actor):
        raise NotPermitted()
    employer = EmployerProfile.objects.filter(user=actor).select_related("scope_unit").first()
    if (
        employer is None
        or employer.kind != EmployerKind.ORGANIZATION
        or employer.status != VerificationStatus.APPROVED
    ):
        raise NotPermitted(_("只有已审核登记的平台或家政服务机构可以报送投保名单申领补贴。"))
    return employer


# --- one row of the list ------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _yes_no(value, field: str, problems: list) -> bool:
    text = _text(value).lower()
    if text in YES:
        return True
    if text not in NO:
        problems.append(_("%(field)s应填“是”或“否”。") % {"field": field})
    return False


def _cover(value, person, employer, problems: list) -> tuple[bool, WorkOrder | None]:
    """(covered, work order): “是/否”, or the id of the work order the per-order premium covers (a work order
    of the person's on one of the employer's postings)."""
    text = _text(value).lower().lstrip("#")
    if text in COVER_YES:
        return True, None
    if text in COVER_NO:
        return False, None
    if not text.isdigit():
        problems.append(_("职业伤害保障应填“是”“否”或所覆盖的用工单号。"))
        return False, None
    order = WorkOrder.objects.filter(pk=int(text), worker=person, posting__employer=employer).first()
    if order is None:
        problems.append(_("用工单 %(id)s 不是此人在本单位的用工单。") % {"id": text})
        return False, None
    return True, order


def _create_premium(claim, employer, person, policy, month, premium, order, covered, is_manager) -> int:
    return InsuredPremium.objects.create(
        person=person,
        payer_kind=claim.payer_kind,
        payer=employer,
        payer_name=employer.display_name[:100],
        policy_number=policy,
        month=month,
        premium=premium,
        work_order=order,
        injury_covered=covered,
        is_manager=is_manager,
    ).pk


def process_row(number: int, raw: dict, *, claim: InsuredListClaim, employer, seen: dict) -> dict:
    """The outcome of one row and, unless the claim is a dry run, its effect. ``seen`` maps (person, policy)
    to the figures an earlier row of the file brought. A kept row (created or identical) carries
    ``person_id`` and ``_row`` (its figures) for the per-person step."""
    resident_id, name = _text(raw.get("resident_id")).upper(), _text(raw.get("name"))
    policy = _text(raw.get("policy"))[:60]
    entry = {
        "row": number,
        "person": mask_id_number(resident_id) if resident_id else "",
        "name": mask_name(name) if name else "",
        "policy": policy,
    }
    month = parse_month(raw.get("month"))
    premium = parse_amount(raw.get("premium"))
    problems = []
    if not resident_id:
        problems.append(_("缺少身份证号码。"))
    if not policy:
        problems.append(_("缺少保单号。"))
    if month is None:
        problems.append(_("保障月份应为 YYYY-MM。"))
    elif month != claim.month:
        problems.append(_("不是本次申领的月份（%(month)s）。") % {"month": claim.month.strftime("%Y-%m")})
    if premium is None or premium <= 0:
        problems.append(_("保费应为大于 0 的数字。"))
    is_manager = _yes_no(raw.get("manager"), _("管理人员"), problems)
    if problems:
        return {**entry, "outcome": ClaimRowOutcome.INVALID, "message": " ".join(problems)}
    entry["month"] = month.strftime("%Y-%m")
    entry["premium"] = str(premium)
    person = User.objects.filter(id_number=resident_id).first()
    if person is None:
        return {
            **entry,
            "outcome": ClaimRowOutcome.UNKNOWN_PERSON,
            "message": _("本平台没有这个身份证号码的人员。"),
        }
    if name and person.real_name and name != person.real_name:
        return {**entry, "outcome": ClaimRowOutcome.UNKNOWN_PERSON, "message": _("姓名与身份证号码不符。")}
    covered, order = _cover(raw.get("injury_cover"), person, employer, problems)
    if problems:
        return {**entry, "outcome": ClaimRowOutcome.INVALID, "message": " ".join(problems)}
    figures = (premium, is_manager, covered, order.pk if order else None)
    kept = {"person_id": person.pk, "_figures": figures}
    key = (person.pk, policy)
    if key in seen:
        if seen[key] == figures:
            return {**entry, "outcome": ClaimRowOutcome.IDENTICAL, "message": _("与本文件前面的行相同。")}
        return {
            **entry,
            "outcome": ClaimRowOutcome.CONFLICT,
            "message": _("与本文件前面同一人同一保单的内容不同。"),
        }
    seen[key] = figures
    existing = (
        InsuredPremium.objects.select_for_update()
        .filter(person=person, payer=employer, policy_number=policy, month=month)
        .first()
    )
    if existing is None:
        row_id = None
        if not claim.dry_run:
            try:
                with transaction.atomic():
                    row_id = _create_premium(
                        claim, employer, person, policy, month, premium, order, covered, is_manager
                    )
            except IntegrityError:  # the same policy on record under the payer's name without the payer
                return {
                    **entry,
                    "outcome": ClaimRowOutcome.CONFLICT,
                    "message": _("已有同名投保单位的同一保单记录，未导入，请核实。"),
                }
        return {**entry, **kept, "_id": row_id, "outcome": ClaimRowOutcome.CREATED, "message": ""}

    on_record = (existing.premium, existing.is_manager, existing.injury_covered, existing.work_order_id)
    if on_record == figures:
        return {
            **entry,
            **kept,
            "_id": existing.pk,
            "outcome": ClaimRowOutcome.IDENTICAL,
            "message": _("与已报送的记录相同。"),
        }
    return {
        **entry,
        "outcome": ClaimRowOutcome.CONFLICT,
        "message": _("与已报送的记录（保费 %(premium)s 元）不同，未更新，请核实。")
        % {"premium": existing.premium},
    }


# --- one insured person -------------------------------------------------------------------------------------


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def claim_person(*, actor, claim: InsuredListClaim, employer, program, person_id: int, rows: list[dict]):
    """The amount for one insured person of the claim and, unless a dry run, the application. The person's
    row is locked first, so a concurrent claim by another payer counts this one's amount (and the other way
    round). Returns the per-person report entry; annotates ``rows`` with each row's exclusion reason."""
    person = User.objects.select_for_update().get(pk=person_id)
    month = claim.month
    label = {"person": mask_id_number(person.id_number or ""), "name": mask_name(person.real_name or "")}
    ongoing = (
        Application.objects.filter(
            person=person,
            program_type=program,
            payer=employer,
            period_start=month,
        )
        .exclude(status=ApplicationStatus.REJECTED)
        .first()
    )
    if ongoing is not None:
        return {
            **label,
            "amount": "0.00",
            "application": ongoing.number,
            "outcome": "already_claimed",
            "message": _("本单位本月已为此人申领（%(number)s），不重复申领。") % {"number": ongoing.number},
        }
    facts = AccidentFacts(
        year=month.year,
        birth_date=person.birth_date,
        rows=tuple(
            PremiumRow(
                row_id=r["_id"],
                payer_name=employer.display_name,
                month=month,
                premium=r["_figures"][0],
                injury_covered=r["_figures"][2],
                is_manager=r["_figures"][1],
                employment_record=employment_record(person, employer.pk, claim.payer_kind, month),
            )
            for r in rows
        ),
        granted_this_year=granted_this_year(person, program, month.year),
    )
    parameter = parameter_for(program, month, person.scope_unit_id)
    decision = _run(program, facts, parameter)
    for r, figure in zip(rows, decision.figures.get("rows", []) or [], strict=False):
        code = figure.get("excluded")
        r["subsidised"] = not code
        if code:
            r["excluded"] = str(EXCLUSION_WORDS[code]()) if code in EXCLUSION_WORDS else code
            r["amount"] = "0.00"
    amount = decision.amount if decision.eligible is True and decision.amount else Decimal("0.00")
    entry = {**label, "amount": str(yuan(amount)), "figures": _public_figures(decision.figures)}
    if amount <= 0:
        words = [text for _c, text in decision.refused + decision.needs]
        return {**entry, "outcome": "not_subsidised", "message": "；".join(words) or _("不符合补贴条件。")}
    reasons, refusals = app_services.dedup_check(
        person=person,
        program=program,
        period_start=month,
        period_end=_month_end(month),
        decision=decision,
        payer_id=employer.pk,
    )
    if refusals:
        return {
            **entry,
            "amount": "0.00",
            "outcome": "refused",
            "message": "；".join(r["text"] for r in refusals),
        }
    cap_words = [text for code, text in decision.reasons if code == "yearly_cap"]
    entry["message"] = "；".join(cap_words)
    if claim.dry_run:
        return {**entry, "outcome": "would_apply"}
    if person.scope_unit_id is None:
        return {**entry, "amount": "0.00", "outcome": "refused", "message": _("此人未登记所在县（市、区）。")}
    answer = Answer(program, month, _month_end(month), parameter, decision)
    answer.stored = decision_record(person=person, answer=answer, facts=facts)
    application = _submit(
        actor=actor, person=person, claim=claim, answer=answer, amount=amount, reasons=reasons
    )
    return {**entry, "outcome": "applied", "application": application.number}


def _public_figures(figures: dict) -> dict:
    keep = ("eligible_premium", "share", "share_times_premium", "granted_this_year", "yearly_cap")
    return {k: str(figures[k]) for k in keep if k in figures}


def _submit(*, actor, person, claim, answer, amount, reasons) -> Application:
    """The accident-insurance application the claim makes for the person, submitted through the
    application workflow (created as a draft, then submitted: the same events, audit and notice)."""
    now = timezone.now()
    application = Application(
        person=person,
        program_type=answer.program,
        scope_unit_id=person.scope_unit_id,
        period_start=answer.period_start,
        period_end=answer.period_end,
        amount_requested=amount,
        decision=answer.stored,
        statement=_("%(payer)s报送 %(month)s 投保名单申领")
        % {"payer": claim.employer.display_name, "month": claim.month.strftime("%Y-%m")},
        payer=claim.employer,
        insured_claim=claim,
        dedup_reasons=reasons,
    )
    app_services._save_numbered(application, now)
    APPLICATION_WORKFLOW.record(application, to_status=ApplicationStatus.DRAFT, actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=application, after=snapshot(application))
    application.submitted_at = now
    APPLICATION_WORKFLOW.move(application, ApplicationStatus.SUBMITTED, actor=actor, fields=["submitted_at"])
    app_services._tell(
        application,
        _("%(payer)s为您申领了 %(month)s 的意外伤害保险补贴 %(amount)s 元（%(number)s），等待县级审核。")
        % {
            "payer": claim.employer.display_name,
            "month": claim.month.strftime("%Y-%m"),
            "amount": amount,
            "number": application.number,
        },
        f"subsidy-application:{application.pk}:submitted",
    )
    return application


# --- the upload ---------------------------------------------------------------------------------------------


def _month(value) -> dt.date:
    month = parse_month(value)
    if month is None:
        raise _invalid("month", _("申领月份应为 YYYY-MM。"))
    if month > month_start(timezone.localdate()):
        raise _invalid("month", _("不能申领以后月份的补贴。"))
    return month


@transaction.atomic
def claim_upload(
    *, actor, uploaded_file, month, payer_kind: str, dry_run: bool = False, request=None
) -> InsuredListClaim:
    """The employer uploads its insured list for ``month``: the claim row with its per-row and per-person
    report, the premiums upserted and the applications submitted (a dry run: the report only)."""
    employer = claiming_employer(actor)
    # one claim of an employer at a time: a double click sees the first one's rows (identical, already claimed)
    EmployerProfile.objects.select_for_update().filter(pk=employer.pk).first()
    if payer_kind not in (PayerKind.PLATFORM, PayerKind.AGENCY):
        raise _invalid("payer_kind", _("请选择新就业形态平台或家政服务机构。"))
    month = _month(month)
    name = (getattr(uploaded_file, "name", "") or "").rsplit("/", 1)[-1]
    if not name.lower().endswith((".csv", ".xlsx")):
        raise _invalid("file", _("请上传 CSV 或 XLSX 文件。"))
    if uploaded_file.size > MAX_BYTES:
        raise _invalid("file", _("文件不能超过 20 MB。"))
    uploaded_file.seek(0)
    data = uploaded_file.read()
    try:
        columns, raw_rows = rows_with_header(read_table(name, data), COLUMNS)
    except DomainError as exc:
        raise _invalid("file", str(exc.message)) from None
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in columns]
    if missing:
        raise _invalid("file", _("文件缺少列：%(columns)s。") % {"columns": "、".join(missing)})
    if len(raw_rows) > MAX_ROWS:
        raise _invalid(
            "file",
            _("名单有 %(rows)s 行，每次最多 %(max)s 行，请分批上传。")
            % {"rows": len(raw_rows), "max": MAX_ROWS},
            "too_many_rows",
        )
    program = ProgramType.objects.get(code=PROGRAM_CODE)
    uploaded_file.seek(0)
    claim = InsuredListClaim(
        employer=employer,
        payer_kind=payer_kind,
        month=month,
        file_name=name[:200],
        dry_run=dry_run,
        uploaded_by=actor,
        rows_total=len(raw_rows),
    )
    claim.file.save(name, uploaded_file, save=False)
    claim.save()
    seen: dict = {}
    entries = []
    counts = dict.fromkeys(COUNTERS.values(), 0)
    for offset, raw in enumerate(raw_rows):
        # row 1 is the header: data rows are numbered as the spreadsheet shows them
        entry = process_row(offset + 2, raw, claim=claim, employer=employer, seen=seen)
        counts[COUNTERS[entry["outcome"]]] += 1
        entries.append(entry)
    by_person: dict[int, list[dict]] = {}
    for entry in entries:
        # created or identical rows (a row repeated within the file carries no person: it counts once)
        if "person_id" in entry:
            by_person.setdefault(entry["person_id"], []).append(entry)
    people, total, made = [], Decimal("0.00"), 0
    for person_id in sorted(by_person):  # one order for every claim: no two claims lock in a cycle
        with transaction.atomic():
            result = claim_person(
                actor=actor,
                claim=claim,
                employer=employer,
                program=program,
                person_id=person_id,
                rows=by_person[person_id],
            )
        result["rows"] = [r["row"] for r in by_person[person_id]]
        people.append(result)
        if result["outcome"] in ("applied", "would_apply"):
            total += Decimal(result["amount"])
            made += result["outcome"] == "applied"
    claim.report = [
        {
            k: (str(v) if k == "outcome" else v)
            for k, v in e.items()
            if not k.startswith("_") and k != "person_id"
        }
        for e in entries
    ]
    claim.people = people
    for field, value in counts.items():
        setattr(claim, field, value)
    claim.applications_count = made
    claim.amount_total = yuan(total)
    claim.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=claim,
        after={
            "file_name": claim.file_name,
            "month": month.isoformat(),
            "dry_run": dry_run,
            **counts,
            "applications": made,
            "amount_total": str(claim.amount_total),
        },
        request=request,
    )
    return claim
