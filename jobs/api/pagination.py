"""Keyset (cursor) pagination whose ordering comes from the FilterSet: ``(distance_km, id)``,
``(-daily_wage, -id)`` or ``(-published_at, -id)``. The cursor holds the last row's sort values, so a page
deep in the list costs what the first one does (no OFFSET), and rows tied on the first key are split by the
id. NULLs sort last both ways (an employer's own drafts have no publication time), on SQLite and PostgreSQL
alike. Shared by the API and the search page."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.pagination import BoundedPageSize


def _encode_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return {"b": value}
    if isinstance(value, int):
        return {"i": value}
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"D": value.isoformat()}
    return {"s": str(value)}


def _decode_value(raw):
    if raw is None:
        return None
    ((tag, text),) = raw.items()
    return {
        "b": bool,
        "i": int,
        "f": float,
        "d": Decimal,
        "s": str,
        "t": dt.datetime.fromisoformat,
        "D": dt.date.fromisoformat,
    }[tag](text)


# What each sort key of a cursor may hold (a crafted cursor with a string for the id, or NaN for a wage, is an
# invalid cursor: 404, never a comparison the database refuses).
CURSOR_TYPES = {
    "id": (int,),
    "published_at": (dt.datetime, type(None)),
    "daily_wage": (Decimal, type(None)),
    "distance_km": (float, int),
}


def _valid_cursor_value(name: str, value) -> bool:
    types = CURSOR_TYPES.get(name)
    if types is None:
        return True
    if isinstance(value, bool) or not isinstance(value, types):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite() and abs(value) < Decimal("1e12")
    if isinstance(value, int):
        return -(2**63) < value < 2**63
    if isinstance(value, dt.datetime):
        return value.tzinfo is not None
    return True


def _parts(ordering, reverse: bool):
    """[(field, descending, nulls_last)] for the ordering, walked forwards or backwards."""
    out = []
    for item in ordering:
        desc = item.startswith("-")
        out.append((item.lstrip("-"), desc != reverse, not reverse))
    return out


def _order_by(parts):
    out = []
    for name, desc, nulls_last in parts:
        nulls = {"nulls_last": True} if nulls_last else {"nulls_first": True}
        out.append(F(name).desc(**nulls) if desc else F(name).asc(**nulls))
    return out


def _after(name, desc, nulls_last, value) -> Q:
    if value is None:
        return Q(pk__in=[]) if nulls_last else Q(**{f"{name}__isnull": False})
    q = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
    return q | Q(**{f"{name}__isnull": True}) if nulls_last else q


def _equal(name, value) -> Q:
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def keyset_filter(parts, values) -> Q:
    """Rows strictly after ``values`` in the order ``parts`` (a lexicographic comparison)."""
    condition = Q(pk__in=[])
    prefix = Q()
    for (name, desc, nulls_last), value in zip(parts, values, strict=True):
        condition |= prefix & _after(name, desc, nulls_last, value)
        prefix &= _equal(name, value)
    return condition


class KeysetCursorPagination(BoundedPageSize, CursorPagination):
    """A CursorPagination whose ordering is the view's ``keyset_ordering`` (set from the FilterSet's
    ``ordering_fields``); the last field must be unique (the id)."""

    page_size = 20
    max_page_size = 100
    ordering = ("-published_at", "-id")
    invalid_cursor_message = _("分页参数无效，请从第一页重新开始。")
    late_row_lookup = True  # see paginate_queryset

    def get_ordering(self, request, queryset, view):
        return tuple(getattr(view, "keyset_ordering", None) or self.ordering)

    def _params(self, request):
        return getattr(request, "query_params", request.GET)

    def decode_cursor(self, request):
        raw = self._params(request).get(self.cursor_query_param)
        if not raw:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)).decode())
            if data["o"] != list(self.ordering):
                raise ValueError("ordering changed")
            values = [_decode_value(v) for v in data["v"]]
            if len(values) != len(self.ordering):
                raise ValueError("length")
            for item, value in zip(self.ordering, values, strict=True):
                if not _valid_cursor_value(item.lstrip("-"), value):
                    raise ValueError(f"cursor value for {item}")
            return values, bool(data.get("r"))
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, RecursionError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc

    def encode_cursor(self, values, reverse: bool) -> str:
        data = {"o": list(self.ordering), "v": [_encode_value(v) for v in values], "r": int(reverse)}
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def _row_values(self, row):
        return [getattr(row, item.lstrip("-")) for item in self.ordering]

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        cursor = self.decode_cursor(request)
        reverse = bool(cursor and cursor[1])
        parts = _parts(self.ordering, reverse)
        queryset = queryset.order_by(*_order_by(parts))
        if cursor is not None:
            queryset = queryset.filter(keyset_filter(parts, cursor[0]))
        page = queryset[: self.page_size + 1]
        if self.late_row_lookup and connection.vendor == "postgresql":
            # Late row lookup: the page's ids first (an index-only scan where a covering index serves the
            # filters and the order, e.g. posting_published_occ_geo_cover), then only those rows, by primary
            # key, with their columns, names and distance (issue 6: at province scale reading every
            # candidate row to sort them cost more than the rest of the request). Two queries whatever the
            # page size; as one (``id IN (subquery)``) PostgreSQL may run the subquery once per row.
            ids = list(page.values_list("pk", flat=True))
            page = queryset.filter(pk__in=ids)
        rows = list(page)
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, cursor is not None
        self.page = rows
        return rows

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        return replace_query_param(
            self.base_url, self.cursor_query_param, self.encode_cursor(self._row_values(self.page[-1]), False)
        )

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:
            return remove_query_param(self.base_url, self.cursor_query_param)
        return replace_query_param(
            self.base_url, self.cursor_query_param, self.encode_cursor(self._row_values(self.page[0]), True)
        )
