"""The API's router: a viewset looked up by its integer primary key only matches digits in the URL, so
``/markets/abc/`` is a 404 in the error shape rather than a ``ValueError`` in a lookup."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

INTEGER_PK = "[0-9]{1,18}"  # a bigint's digits


class Router(DefaultRouter):
    include_root_view = False
    # No ".json" twins of every route: @action handlers (pk=None) crash on the extra "format" argument, and
    # clients choose the format by Accept header or ?format=.
    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        default = INTEGER_PK if lookup_field == "pk" else self._default_value_pattern
        lookup_value = getattr(viewset, "lookup_value_regex", default)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"
