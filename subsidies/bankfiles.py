"""The bank's files of a disbursement batch (an engine: no database).

**The payment file** (代发文件) the batch exports, CSV (UTF-8 with a BOM) or XLSX: a title line, a header,
one row per payment — sequence, the payment's reference (its idempotency key, which the bank echoes in its
result file), the holder's name, the **full account number** (the bank cannot pay a masked one), the bank,
the account kind, the amount with exactly two decimals as text (never a float), the memo — and a total
row (count and sum), which the bank checks against the batch. Account numbers and amounts are text cells,
so a spreadsheet shows 19 digits as they are. A cell a spreadsheet would read as a formula is quoted.

**The result file** (回盘文件) the bank returns: any CSV or XLSX with the reference and the outcome
columns (the payment file itself with a 处理结果 column added will do); optional reason, bank serial
number and amount columns. ``read_result_file`` turns each data row into a ``ResultRow`` — paid, failed or
returned, or a problem (``invalid``) saying why the row cannot be read. Matching the rows to payments is
the service's (``subsidies.services.disbursement``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError

from .tables import LINE, read_table, rows_with_header, text

CENT = Decimal("0.01")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    gettext_lazy("序号"),
    gettext_lazy("业务参考号"),
    gettext_lazy("户名"),
    gettext_lazy("账号"),
    gettext_lazy("开户银行"),
    gettext_lazy("账户类型"),
    gettext_lazy("金额（元）"),
    gettext_lazy("摘要"),
)
TOTAL_LABEL = "合计"


@dataclass(frozen=True)
class BankRow:
    reference: str
    holder_name: str
    account_number: str
    bank_name: str
    account_kind: str
    amount: Decimal
    memo: str


def money(amount: Decimal) -> str:
    """Yuan with exactly two decimals, as text: 1120 → "1120.00"."""
    return str(Decimal(amount).quantize(CENT))


def _safe(value: str) -> str:
    """A cell a spreadsheet would evaluate (=, +, -, @ first) is quoted as text."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def payment_table(rows: Sequence[BankRow]) -> list[list[str]]:
    """The header, one line per payment and the total line, every cell as text."""
    table = [[str(h) for h in HEADERS]]
    for number, row in enumerate(rows, start=1):
        table.append(
            [
                str(number),
                row.reference,
                _safe(row.holder_name),
                row.account_number,
                _safe(row.bank_name),
                str(row.account_kind),
                money(row.amount),
                _safe(row.memo),
            ]
        )
    total = sum((r.amount for r in rows), start=Decimal("0"))
    table.append([TOTAL_LABEL, str(len(rows)), "", "", "", "", money(total), ""])
    return table


def payment_file(rows: Sequence[BankRow], *, fmt: str, title: str) -> bytes:
    """The payment file's bytes (``fmt`` "csv" or "xlsx")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown bank file format {fmt!r}")
    table = payment_table(rows)
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([title])
        writer.writerows(table)
        return buffer.getvalue().encode("utf-8")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("代发明细"))
    sheet.append([title])
    for line in table:
        sheet.append(line)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.number_format = "@"  # text: 19-digit accounts and amounts stay as they are
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the result file ------------------------------------------------------------------------------------

RESULT_COLUMNS = {
    "reference": ("业务参考号", "参考号", "交易参考号", "客户流水号", "reference"),
    "result": ("处理结果", "交易结果", "交易状态", "状态", "结果", "result", "status"),
    "reason": ("失败原因", "原因", "备注", "说明", "reason"),
    "bank_reference": ("银行流水号", "流水号", "银行交易流水号", "bank_reference"),
    "amount": ("金额（元）", "金额(元)", "金额", "交易金额", "amount"),
    "first": ("序号",),
}
PAID, FAILED, RETURNED = "paid", "failed", "returned"
RESULT_WORDS = {
    PAID: ("成功", "交易成功", "已入账", "入账成功", "已支付", "paid", "success", "succeeded", "ok"),
    FAILED: ("失败", "交易失败", "入账失败", "failed", "fail", "error"),
    RETURNED: ("退票", "退回", "退汇", "已退回", "returned", "refunded"),
}
_WORD_TO_OUTCOME = {word.lower(): outcome for outcome, words in RESULT_WORDS.items() for word in words}


@dataclass(frozen=True)
class ResultRow:
    row: int
    reference: str
    outcome: str  # paid | failed | returned, or "" when ``problem`` says why the row cannot be read
    reason: str = ""
    bank_reference: str = ""
    amount: Decimal | None = None
    problem: str = ""


def _amount(value) -> Decimal | None:
    raw = text(value).replace(",", "").lstrip("'")
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None
    return amount.quantize(CENT) if amount.is_finite() else None


def read_result_file(name: str, data: bytes) -> list[ResultRow]:
    """The bank's result rows (numbered as a spreadsheet shows them). A file without the reference and
    result columns is a DomainError; the total line is skipped."""
    table = read_table(name, data)
    columns, raw_rows = rows_with_header(table, RESULT_COLUMNS)
    missing = [RESULT_COLUMNS[k][0] for k in ("reference", "result") if k not in columns]
    if missing:
        raise DomainError(_("文件缺少列：%(columns)s。") % {"columns": "、".join(missing)})
    out = []
    for raw in raw_rows:
        number = raw[LINE]
        if text(raw.get("first")) == TOTAL_LABEL:
            continue
        reference = text(raw.get("reference"))
        word = text(raw.get("result")).lower()
        outcome = _WORD_TO_OUTCOME.get(word, "")
        amount = _amount(raw.get("amount"))
        problem = ""
        if not reference:
            problem = _("缺少业务参考号。")
        elif not outcome:
            problem = _("无法识别的处理结果“%(word)s”。") % {"word": text(raw.get("result"))[:20]}
        elif text(raw.get("amount")) and amount is None:
            problem = _("金额不是数字。")
        out.append(
            ResultRow(
                row=number,
                reference=reference[:80],
                outcome=outcome if not problem else "",
                reason=text(raw.get("reason"))[:200],
                bank_reference=text(raw.get("bank_reference"))[:64],
                amount=amount,
                problem=problem,
            )
        )
    return out


def sample_result_file(rows: Iterable[tuple[str, str, str]]) -> bytes:
    """A result file (CSV) of (reference, result word, reason) lines — for tests and the admin's example."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["业务参考号", "处理结果", "失败原因"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
