"""The API's one error shape: ``{"code": "...", "message": "...", "fields": {...}}``."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

logger = logging.getLogger("lingong.api")

_CODES = {
    exceptions.NotAuthenticated: ("not_authenticated", status.HTTP_401_UNAUTHORIZED),
    exceptions.AuthenticationFailed: ("authentication_failed", status.HTTP_401_UNAUTHORIZED),
    exceptions.PermissionDenied: ("permission_denied", status.HTTP_403_FORBIDDEN),
    exceptions.NotFound: ("not_found", status.HTTP_404_NOT_FOUND),
    exceptions.MethodNotAllowed: ("method_not_allowed", status.HTTP_405_METHOD_NOT_ALLOWED),
    exceptions.Throttled: ("rate_limited", status.HTTP_429_TOO_MANY_REQUESTS),
    exceptions.ParseError: ("parse_error", status.HTTP_400_BAD_REQUEST),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
}


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [str(v) if not isinstance(v, dict | list) else _flatten(v) for v in detail]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, DataError | OverflowError):
        # A value the database cannot hold (out of range, an invalid byte sequence) that validation let
        # through: the request's fault, and nothing was written (the statement failed). Logged to be fixed
        # at the field where it entered.
        logger.warning("input the database refused: %s", exc)
        body = {"code": "invalid", "message": _("提交的数值超出范围或格式无效。"), "fields": {}}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "message": str(exc.message), "fields": _flatten(exc.fields)}
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "code": "invalid",
            "message": _("提交的内容有误，请检查。"),
            "fields": _flatten(detail),
        }
        return response
    code = next((c for cls, (c, _s) in _CODES.items() if isinstance(exc, cls)), "error")
    detail = getattr(exc, "detail", "")
    response.data = {"code": code, "message": str(detail), "fields": {}}
    return response
