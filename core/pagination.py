"""Pagination of the API's lists. A page size above the list's maximum (or not a whole number) is a 400
naming the maximum, never a silent cap; the schema states the maximum."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.pagination import PageNumberPagination as _PageNumberPagination


def requested_page_size(params, *, name: str, default: int, maximum: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= maximum:
        raise ValidationError({name: [_("每页条数须为1到%(max)s之间的整数。") % {"max": maximum}]})
    return size


class BoundedPageSize:
    """Mixin for DRF paginators: ``page_size`` from the query, bounded, and the maximum in the schema."""

    page_size_query_param = "page_size"

    def get_page_size(self, request):
        return requested_page_size(
            getattr(request, "query_params", request.GET),
            name=self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = _("每页条数（1到%(max)s）") % {"max": self.max_page_size}
        return parameters


class PageNumberPagination(BoundedPageSize, _PageNumberPagination):
    page_size = 20
    max_page_size = 100


class NewestFirstCursorPagination(BoundedPageSize, CursorPagination):
    """For large, append-heavy lists (audit trail, events): no COUNT over millions of rows."""

    page_size = 50
    max_page_size = 200
    ordering = ("-at", "-id")
