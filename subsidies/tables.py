"""Reading the spreadsheets staff upload (the social-insurance system's contribution records, the bank's
result file of a disbursement batch): CSV in UTF-8 or GB18030, or XLSX (openpyxl), a header row naming the
columns by any of their usual names, then data rows. One reader for every upload of the app."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from core.errors import DomainError

LINE = "_line"


def header_map(header: list, columns: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """{key: column index} for the keys of ``columns`` whose names (aliases) the header holds."""
    names = [str(h or "").strip() for h in header]
    found = {}
    for key, aliases in columns.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    return found


def read_table(name: str, data: bytes) -> list[list]:
    """Every row of the file's first sheet (XLSX) or of the CSV, as lists of cell values or strings."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            return [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception:
            raise DomainError(_("无法读取这个 XLSX 文件。")) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(_("无法识别文件编码，请另存为 UTF-8 的 CSV。"))
    return list(csv.reader(io.StringIO(text)))


def rows_with_header(table: list[list], columns: Mapping[str, Iterable[str]]) -> tuple[dict[str, int], list]:
    """(header map, data rows as dicts of the known columns and ``LINE``, the row's number as a spreadsheet
    shows it), skipping empty rows. The header is the first row naming at least two known columns (a bank's
    file may open with a title line), else the first row. An empty file is a DomainError."""
    if not table:
        raise DomainError(_("文件是空的。"))
    start, found = 0, header_map(table[0], columns)
    for index, row in enumerate(table[:10]):
        candidate = header_map(row, columns)
        if len(candidate) >= 2:
            start, found = index, candidate
            break
    rows = []
    for number, values in enumerate(table[start + 1 :], start=start + 2):
        if not any(v not in (None, "") for v in values):
            continue
        row = {k: (values[i] if i < len(values) else None) for k, i in found.items()}
        row[LINE] = number
        rows.append(row)
    return found, rows


def text(value) -> str:
    return "" if value is None else str(value).strip()
