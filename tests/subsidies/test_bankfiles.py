"""The bank's files (an engine without the database): the payment file carries the full account, the amounts
with two decimals as text and a total line that adds up; the result file is read by its column names, in
CSV or XLSX, with a problem named for a row that cannot be read."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from core.errors import DomainError
from subsidies import bankfiles
from subsidies.bankfiles import BankRow, ResultRow

ROWS = [
    BankRow(
        "SUB-1-1",
        "张三",
        "6222020200112233445",
        "中国工商银行潍坊分行",
        "银行卡",
        Decimal("746.67"),
        "社保补贴",
    ),
    BankRow(
        "SUB-2-1", "李四", "6217000010001234567", "中国建设银行", "社会保障卡", Decimal("1120"), "社保补贴"
    ),
    BankRow("SUB-3-1", "=王五", "6228480010000000018", "农业银行", "银行卡", Decimal("0.05"), "意外险补贴"),
]


def _csv_lines(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel shows Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_payment_file_has_full_accounts_two_decimal_amounts_and_a_total():
    lines = _csv_lines(bankfiles.payment_file(ROWS, fmt="csv", title="批次 PB-1"))
    assert lines[0] == ["批次 PB-1"]
    assert lines[1][:4] == ["序号", "业务参考号", "户名", "账号"]
    body = lines[2:-1]
    assert [r[1] for r in body] == ["SUB-1-1", "SUB-2-1", "SUB-3-1"]
    assert [r[3] for r in body] == ["6222020200112233445", "6217000010001234567", "6228480010000000018"]
    assert [r[6] for r in body] == ["746.67", "1120.00", "0.05"]
    # 746.67 + 1120.00 + 0.05 = 1866.72 over 3 payments
    assert lines[-1][0] == "合计" and lines[-1][1] == "3" and lines[-1][6] == "1866.72"
    # a name a spreadsheet would read as a formula is quoted
    assert body[2][2] == "'=王五"


def test_xlsx_payment_file_keeps_accounts_and_amounts_as_text():
    data = bankfiles.payment_file(ROWS, fmt="xlsx", title="批次 PB-1")
    sheet = load_workbook(io.BytesIO(data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "批次 PB-1"
    assert values[2][3] == "6222020200112233445"  # a string, not 6.22E+18
    assert values[3][6] == "1120.00"
    assert values[-1][6] == "1866.72"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        bankfiles.payment_file(ROWS, fmt="pdf", title="")


def test_result_file_reads_outcomes_reasons_and_line_numbers():
    data = (
        "\ufeff银行代发回盘\n"
        "序号,业务参考号,金额,处理结果,失败原因,银行流水号\n"
        "1,SUB-1-1,746.67,成功,,B001\n"
        "2,SUB-2-1,1120.00,失败,户名与账号不符,\n"
        "\n"
        "3,SUB-3-1,0.05,退票,账户已销户,B003\n"
        "4,SUB-4-1,10,处理中,,\n"
        "5,,10,成功,,\n"
        "合计,4,1876.72,,,\n"
    ).encode()
    rows = bankfiles.read_result_file("result.csv", data)
    assert rows[:3] == [
        ResultRow(3, "SUB-1-1", "paid", "", "B001", Decimal("746.67")),
        ResultRow(4, "SUB-2-1", "failed", "户名与账号不符", "", Decimal("1120.00")),
        ResultRow(6, "SUB-3-1", "returned", "账户已销户", "B003", Decimal("0.05")),
    ]
    assert (rows[3].row, rows[3].outcome, "处理中" in rows[3].problem) == (7, "", True)
    assert (rows[4].row, rows[4].problem) == (8, "缺少业务参考号。")
    assert len(rows) == 5  # the total line is not a payment


def test_result_file_in_gb18030_and_xlsx():
    gbk = "业务参考号,处理结果,失败原因\nSUB-1-1,成功,\n".encode("gb18030")
    assert bankfiles.read_result_file("r.csv", gbk)[0].outcome == "paid"
    book = Workbook()
    book.active.append(["业务参考号", "交易状态", "备注"])
    book.active.append(["SUB-2-1", "failed", "closed account"])
    out = io.BytesIO()
    book.save(out)
    (row,) = bankfiles.read_result_file("r.xlsx", out.getvalue())
    assert (row.row, row.reference, row.outcome, row.reason) == (2, "SUB-2-1", "failed", "closed account")


def test_the_payment_file_itself_with_a_result_column_is_a_result_file():
    lines = _csv_lines(bankfiles.payment_file(ROWS[:2], fmt="csv", title="PB-1"))
    lines[1].append("处理结果")
    lines[2].append("成功")
    lines[3].append("失败")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    rows = bankfiles.read_result_file("back.csv", buffer.getvalue().encode())
    assert [(r.reference, r.outcome, r.amount) for r in rows] == [
        ("SUB-1-1", "paid", Decimal("746.67")),
        ("SUB-2-1", "failed", Decimal("1120.00")),
    ]


def test_result_file_without_the_needed_columns_is_refused():
    with pytest.raises(DomainError) as caught:
        bankfiles.read_result_file("r.csv", "账号,金额\n1,2\n".encode())
    assert "业务参考号" in str(caught.value.message)
