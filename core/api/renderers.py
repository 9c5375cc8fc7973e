"""The browsable API, for developers only (``local`` settings; production answers JSON alone): it shows the
response — masked like the JSON — and never a write form, because DRF fills its forms from the serializer's
instance, unmasked (issue 11: a posting's PATCH form showed its contact number in full)."""

from __future__ import annotations

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_raw_data_form(self, data, view, method, request):
        return None

    def get_filter_form(self, data, view, request):
        return None
