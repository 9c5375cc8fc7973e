"""DRF throttles that count by the client address as ``core.http.client_ip`` sees it (trusted proxies only),
not by whatever X-Forwarded-For a client sends."""

from __future__ import annotations

from rest_framework import throttling

from core.http import client_ip


class ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request) or ""


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass
