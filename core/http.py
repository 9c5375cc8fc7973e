from __future__ import annotations


def client_ip(request) -> str | None:
    """The client's address as the WSGI server saw it (a reverse proxy sets REMOTE_ADDR via its own config)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
