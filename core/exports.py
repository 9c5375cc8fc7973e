"""Tables as downloads, in one place: CSV with a UTF-8 BOM (so that Excel shows Chinese) or XLSX (a title
row, then the table). Every export of the project — admin lists, the market directory, the statistics
pages — goes through ``table_response``; personal data is masked by the caller before it gets here."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value, *, for_xlsx: bool):
    if value is None:
        return ""
    if for_xlsx:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        if isinstance(value, bool | int | float | dt.date | dt.datetime):
            return value
    return str(value)


def table_response(
    *,
    fmt: str,
    filename: str,
    headers: Sequence,
    rows: Iterable[Sequence],
    title: str = "",
    sheet: str = "",
) -> HttpResponse:
    """``fmt`` is "csv" or "xlsx"; ``filename`` without its extension."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(h) for h in headers])
        writer.writerows([_cell(v, for_xlsx=False) for v in row] for row in rows)
        return response
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = (sheet or filename)[:31]
    if title:
        ws.append([str(title)])
    ws.append([str(h) for h in headers])
    for row in rows:
        ws.append([_cell(v, for_xlsx=True) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
