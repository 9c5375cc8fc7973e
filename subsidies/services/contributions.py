"""The social-insurance system's contribution records, imported by staff (CSV or XLSX): an idempotent upsert
keyed by person and month, run as a task with its progress on the import row, one import at a time.

Per row the outcome is one of (``RowOutcome``):

- **created** — no record for the person and month yet;
- **updated** — a record with other figures whose month has not been subsidised yet: the system's latest
  figures replace it;
- **identical** — the same figures as on record (or as an earlier row of the same file): ignored, so a
  second import of the same file changes nothing;
- **conflict** — reported, not applied: an unknown person (no one on the portal with that resident ID or
  account), a resident ID and an account naming two people, a month already subsidised (an
  ``Entitlement``) whose figures would change, or a later row of the same file with other figures;
- **invalid** — a row the import cannot read (missing resident ID, a month or amount that is not one).

A dry run reads the whole file and reports the same outcomes without writing a record. The report keeps
every row up to ``REPORT_ROWS`` and every problem row after that; the counts are always complete.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.masking import mask_id_number, mask_phone
from core.queue import enqueue

from ..choices import ImportStatus, RowOutcome
from ..models import IMPORT_WORKFLOW, ContributionImport, ContributionMonth, Entitlement
from ..tables import read_table, rows_with_header
from ..tables import text as _text

logger = logging.getLogger("lingong.subsidies")

IMPORT_PERMISSION = "subsidies.add_contributionimport"
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 200
REPORT_ROWS = 5000
COLUMNS = {
    "resident_id": ("身份证号码", "身份证号", "公民身份号码", "resident_id", "id_number"),
    "phone": ("手机号码", "手机号", "账号", "phone"),
    "month": ("缴费月份", "费款所属期", "月份", "month"),
    "pension": ("养老保险实缴", "养老保险", "养老", "pension", "pension_paid"),
    "medical": ("医疗保险实缴", "医疗保险", "医疗", "medical", "medical_paid"),
    "base": ("缴费基数", "base"),
}
PROBLEMS = (RowOutcome.CONFLICT, RowOutcome.INVALID)


# --- starting ---------------------------------------------------------------------------------------------


def contribution_import_start(
    *, actor, uploaded_file, dry_run: bool = False, request=None
) -> ContributionImport:
    """Staff upload the file: the import row (queued) and its task, enqueued on commit. Refused while
    another import is queued or running (one lane for the city)."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(IMPORT_PERMISSION):
        raise NotPermitted(_("只有市级社保补贴工作人员可以导入缴费记录。"))
    name = (getattr(uploaded_file, "name", "") or "").rsplit("/", 1)[-1]
    if not name.lower().endswith((".csv", ".xlsx")):
        raise DomainError(_("请上传 CSV 或 XLSX 文件。"), fields={"file": [_("请上传 CSV 或 XLSX 文件。")]})
    if uploaded_file.size > MAX_BYTES:
        raise DomainError(_("文件不能超过 20 MB。"), fields={"file": [_("文件不能超过 20 MB。")]})
    if ContributionImport.objects.filter(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)).exists():
        raise _already_running()
    try:
        with transaction.atomic():
            row = ContributionImport.objects.create(
                file=uploaded_file, file_name=name[:200], dry_run=dry_run, uploaded_by=actor
            )
            IMPORT_WORKFLOW.record(row, to_status=ImportStatus.QUEUED, actor=actor)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=row,
                after={"file_name": row.file_name, "dry_run": dry_run},
                request=request,
            )
            enqueue("subsidies.tasks.contribution_import_run_task", import_id=row.pk)
    except IntegrityError:
        raise _already_running() from None
    return row


def _already_running() -> DomainError:
    return DomainError(_("已有一个缴费记录导入正在进行，请等它完成后再导入。"), code="import_running")


# --- reading the file --------------------------------------------------------------------------------------


def read_rows(name: str, data: bytes) -> list[dict]:
    """The file's data rows as dicts of the known columns (strings or cell values). A file without the
    needed columns is a DomainError."""
    columns, rows = rows_with_header(read_table(name, data), COLUMNS)
    missing = [COLUMNS[k][0] for k in ("month", "pension", "medical") if k not in columns]
    if "resident_id" not in columns and "phone" not in columns:
        missing.insert(0, COLUMNS["resident_id"][0])
    if missing:
        raise DomainError(_("文件缺少列：%(columns)s。") % {"columns": "、".join(missing)})
    return rows


def parse_month(value) -> dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    text = _text(value).replace("/", "-").replace(".", "-")
    if text.isdigit() and len(text) == 6:
        text = f"{text[:4]}-{text[4:]}"
    try:
        year, month = text.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None


def parse_amount(value) -> Decimal | None:
    text = _text(value).replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("100000000"):
        return None
    return amount.quantize(Decimal("0.01"))


# --- one row ----------------------------------------------------------------------------------------------


def _person_label(resident_id: str, phone: str) -> str:
    return mask_id_number(resident_id) if resident_id else mask_phone(phone)


def _find_person(resident_id: str, phone: str):
    """(person, problem): the one person the row names, or why not."""
    by_id = User.objects.filter(id_number=resident_id.upper()).first() if resident_id else None
    by_phone = User.objects.filter(phone=phone).first() if phone else None
    if resident_id and phone and by_id and by_phone and by_id.pk != by_phone.pk:
        return None, _("身份证号码和手机号码不是同一个人。")
    person = by_id or by_phone
    if person is None:
        return None, _("本平台没有这个人（按身份证号码或手机号码查找）。")
    return person, ""


def process_row(number: int, raw: dict, *, dry_run: bool, seen: dict, source=None) -> dict:
    """The outcome of one row (and, unless ``dry_run``, its effect). ``seen`` maps (person, month) to the
    figures an earlier row of the same file brought."""
    resident_id, phone = _text(raw.get("resident_id")), _text(raw.get("phone"))
    entry = {"row": number, "person": _person_label(resident_id, phone)}
    month = parse_month(raw.get("month"))
    pension, medical = parse_amount(raw.get("pension")), parse_amount(raw.get("medical"))
    base = parse_amount(raw.get("base")) if _text(raw.get("base")) else None
    problems = []
    if not resident_id and not phone:
        problems.append(_("缺少身份证号码。"))
    if month is None:
        problems.append(_("缴费月份应为 YYYY-MM。"))
    if pension is None or medical is None:
        problems.append(_("缴费金额应为不小于 0 的数字。"))
    if _text(raw.get("base")) and base is None:
        problems.append(_("缴费基数应为不小于 0 的数字。"))
    if problems:
        return {**entry, "outcome": RowOutcome.INVALID, "message": " ".join(problems)}
    entry["month"] = month.strftime("%Y-%m")
    person, problem = _find_person(resident_id, phone)
    if person is None:
        return {**entry, "outcome": RowOutcome.CONFLICT, "message": problem}
    figures = (pension, medical, base)
    key = (person.pk, month)
    if key in seen:
        if seen[key] == figures:
            return {**entry, "outcome": RowOutcome.IDENTICAL, "message": _("与本文件前面的行相同。")}
        return {
            **entry,
            "outcome": RowOutcome.CONFLICT,
            "message": _("与本文件前面同一人同一月份的金额不同。"),
        }
    seen[key] = figures
    existing = ContributionMonth.objects.select_for_update().filter(person=person, month=month).first()
    if existing is None:
        if not dry_run:
            ContributionMonth.objects.create(
                person=person,
                month=month,
                pension_paid=pension,
                medical_paid=medical,
                base=base,
                source_import=source,
            )
        return {**entry, "outcome": RowOutcome.CREATED, "message": ""}
    if (existing.pension_paid, existing.medical_paid, existing.base) == figures:
        return {**entry, "outcome": RowOutcome.IDENTICAL, "message": _("与已有记录相同。")}
    if Entitlement.objects.filter(
        person=person, month=month, program_type__eligibility_strategy="flexible_social_insurance"
    ).exists():
        return {
            **entry,
            "outcome": RowOutcome.CONFLICT,
            "message": _(
                "该月份已按原金额（养老 %(pension)s 元、医疗 %(medical)s 元）享受补贴，金额不同，未更新，请核实。"
            )
            % {"pension": existing.pension_paid, "medical": existing.medical_paid},
        }
    if not dry_run:
        existing.pension_paid, existing.medical_paid, existing.base = figures
        existing.source_import = source
        existing.save(update_fields=["pension_paid", "medical_paid", "base", "source_import", "updated_at"])
    return {
        **entry,
        "outcome": RowOutcome.UPDATED,
        "message": _("原金额：养老 %(pension)s 元、医疗 %(medical)s 元。")
        % {"pension": existing.pension_paid, "medical": existing.medical_paid}
        if dry_run
        else "",
    }


# --- the run (the task calls this) -------------------------------------------------------------------------

COUNTERS = {
    RowOutcome.CREATED: "created_count",
    RowOutcome.UPDATED: "updated_count",
    RowOutcome.IDENTICAL: "identical_count",
    RowOutcome.CONFLICT: "conflict_count",
    RowOutcome.INVALID: "invalid_count",
}


def contribution_import_run(*, import_id: int) -> ContributionImport | None:
    """Run a queued import: parse the file, then the rows in chunks of ``CHUNK``, each chunk one
    transaction that also stores the progress (rows done, problem rows so far, the counts), so the staff
    page shows it while the run goes on. Safe to run twice: only a queued import starts."""
    with transaction.atomic():
        row = IMPORT_WORKFLOW.lock(import_id)
        if row.status != ImportStatus.QUEUED:
            return None
        row.started_at = timezone.now()
        IMPORT_WORKFLOW.move(row, ImportStatus.RUNNING, actor=None, fields=["started_at"])
    try:
        with row.file.open("rb") as handle:
            data = handle.read()
        rows = read_rows(row.file_name, data)
    except (DomainError, OSError) as exc:
        return _fail(row, str(getattr(exc, "message", "") or _("无法读取文件。")))
    ContributionImport.objects.filter(pk=row.pk).update(rows_total=len(rows))
    row.rows_total = len(rows)
    seen: dict = {}
    report: list = []
    counts = dict.fromkeys(COUNTERS.values(), 0)
    try:
        for start in range(0, len(rows), CHUNK):
            with transaction.atomic():
                for offset, raw in enumerate(rows[start : start + CHUNK]):
                    # row 1 is the header: data rows are numbered as the spreadsheet shows them
                    entry = process_row(start + offset + 2, raw, dry_run=row.dry_run, seen=seen, source=row)
                    counts[COUNTERS[entry["outcome"]]] += 1
                    if len(report) < REPORT_ROWS or entry["outcome"] in PROBLEMS:
                        report.append({**entry, "outcome": str(entry["outcome"])})
                done = min(start + CHUNK, len(rows))
                errors = counts["conflict_count"] + counts["invalid_count"]
                ContributionImport.objects.filter(pk=row.pk).update(
                    rows_done=done, errors=errors, report=report, **counts
                )
    except Exception as exc:
        logger.exception("contribution import %s failed", row.pk)
        return _fail(row, _("导入中断：%(error)s") % {"error": exc.__class__.__name__})
    with transaction.atomic():
        row = IMPORT_WORKFLOW.lock(row.pk)
        row.finished_at = timezone.now()
        IMPORT_WORKFLOW.move(
            row,
            ImportStatus.DONE,
            actor=None,
            fields=["finished_at"],
            audit={**counts, "dry_run": row.dry_run, "rows": row.rows_total},
        )
    return row


def _fail(row, message: str) -> ContributionImport:
    with transaction.atomic():
        row = IMPORT_WORKFLOW.lock(row.pk)
        row.failure = message
        row.finished_at = timezone.now()
        IMPORT_WORKFLOW.move(
            row, ImportStatus.FAILED, actor=None, reason=message, fields=["failure", "finished_at"]
        )
    return row
