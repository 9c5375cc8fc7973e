"""Request guards that run before any view: a request id on every request (in the 500 answer and the log
line of its exception), and refusals of what no view should see — a NUL character in the path or the query
(PostgreSQL refuses NUL in text: it would surface as a 500), and a body larger than the upload limit (413).
Under /api/ every refusal is the one error shape."""

from __future__ import annotations

import logging
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("lingong.requests")


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def error_response(request, status: int, code: str, message: str, fields: dict | None = None):
    """The error answer for ``request``: JSON in the error shape under /api/, a plain page elsewhere."""
    if is_api(request):
        body = {"code": code, "message": str(message), "fields": fields or {}}
        request_id = getattr(request, "request_id", "")
        if status >= 500 and request_id:
            body["request_id"] = request_id
        return JsonResponse(body, status=status)
    html = render_to_string(
        "error.html", {"status": status, "message": message, "request_id": getattr(request, "request_id", "")}
    )
    return HttpResponse(html, status=status)


class RequestIdMiddleware:
    """``request.request_id`` (also the ``X-Request-ID`` response header), logged with any exception."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex[:16]
        response = self.get_response(request)
        response.setdefault("X-Request-ID", request.request_id)
        return response

    def process_exception(self, request, exception):
        logger.error(
            "request %s failed: %s %s", request.request_id, request.method, request.path, exc_info=exception
        )


class RequestSanityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path_info
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
        ):
            return error_response(request, 400, "invalid", _("请求中含有不允许的字符（NUL）。"))
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, 400, "invalid", _("请求头 Content-Length 无效。"))
        if limit is not None and length > limit and not request.content_type.startswith("multipart/"):
            return error_response(
                request,
                413,
                "too_large",
                _("请求内容过大（上限 %(n)s 字节）。") % {"n": limit},
            )
        return self.get_response(request)


class DisclosureAuditMiddleware:
    """Writes the audit rows of the contacts a request disclosed to the other party of a hire (noted by
    ``jobs.permissions.sees_person`` while the page or the response was built; template and DRF responses
    are rendered before the response comes back through here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .audit import disclosures_begin, disclosures_flush

        token = disclosures_begin()
        try:
            response = self.get_response(request)
        finally:
            disclosures_flush(token, request)
        return response


def map_tile_sources() -> list[str]:
    """The origins the map's tiles come from (``img-src``), from the tile settings: ``{s}`` in a host
    (a subdomain rotation like ``t{s}.tianditu.gov.cn``) becomes the wildcard label CSP allows."""
    from urllib.parse import urlsplit

    sources = []
    for url in (settings.LINGONG_MAP_TILE_URL, settings.LINGONG_MAP_LABEL_URL):
        if not url:
            continue
        parts = urlsplit(url.replace("{s}", "SUBDOMAIN"))
        if not parts.scheme or not parts.netloc:
            continue
        labels = parts.netloc.split(".")
        if any("SUBDOMAIN" in label for label in labels):
            labels = ["*"] + [label for label in labels if "SUBDOMAIN" not in label]
        source = f"{parts.scheme}://{'.'.join(labels)}"
        if source not in sources:
            sources.append(source)
    return sources


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the map's tile servers added to ``img-src``: the policy itself is
    ``CONTENT_SECURITY_POLICY`` in settings; the tile hosts follow the map settings, so a bureau that
    names its intranet tile server does not also have to edit the policy."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.update is None:
            sources = map_tile_sources()
            if sources:
                parts.update = {"img-src": sources}
        return parts
