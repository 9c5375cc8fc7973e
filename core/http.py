"""The client's address, as every guard that counts by address sees it (audit rows, SMS rate limits, login
lockouts, API throttles). Behind a reverse proxy every request comes from the proxy; the client is then the
nearest address in ``X-Forwarded-For`` that is not one of ``LINGONG_TRUSTED_PROXIES`` — and only proxies in
that list are believed (default: none, so a forged header from a client is ignored)."""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _trusted(networks: tuple[str, ...]):
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _trusted(tuple(settings.LINGONG_TRUSTED_PROXIES)))


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    if remote is None or not _is_trusted(remote):
        return remote
    hops = [h for h in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):  # the rightmost hops were added by our own proxies
        address = _valid(hop)
        if address is None:
            return remote
        if not _is_trusted(address):
            return address
    return remote
