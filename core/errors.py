"""The one error type of the domain. Services raise it; the API turns it into
``{"code": ..., "message": ..., "fields": {...}}`` and pages show the message beside the fields."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    default_code = "invalid"
    default_message = _("请求无效。")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))


class InvalidTransition(DomainError):
    status = 409
    default_code = "invalid_transition"
    default_message = _("当前状态下不能执行该操作。")


class Conflict(DomainError):
    """The request is valid but the stored state forbids it (a locked period, an unknown code in a batch):
    409, with the offending rows or fields in ``fields``."""

    status = 409
    default_code = "conflict"
    default_message = _("与现有数据冲突。")


class NotPermitted(DomainError):
    status = 403
    default_code = "permission_denied"
    default_message = _("您没有执行该操作的权限。")


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_message = _("未找到。")


class RateLimited(DomainError):
    status = 429
    default_code = "rate_limited"
    default_message = _("操作太频繁，请稍后再试。")
