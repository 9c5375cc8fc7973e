"""The schema tells the truth about errors and times (issue 11, item 19).

Every operation documents the error answers it can give, each in the one error shape (``Error``): any request
can be malformed (400: a NUL in the query, a bad filter value, a page out of range), unauthenticated (401),
refused (403), out of scope or missing (404) or throttled (429); a write can also conflict with the current
state (409), be too large (413) or come in a media type the API does not read (415). Codes a view documents
itself keep its description and gain the shape.

Times of day are the county's wall-clock time (``08:00:00``, Asia/Shanghai) without an offset: JSON Schema's
``format: time`` demands an RFC 3339 offset, so time fields carry a pattern instead (``time_fields``)."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ALWAYS = {
    "400": _("请求有误（code = invalid / parse_error，fields 指明哪一项）"),
    "401": _("未登录或令牌无效"),
    "403": _("没有权限"),
    "404": _("不存在，或不在您的范围内"),
    "429": _("请求过于频繁，请稍后再试"),
}
WRITES = {
    "409": _("当前状态下不能执行该操作（invalid_transition 等）"),
    "413": _("提交的内容过大"),
    "415": _("不支持的内容类型"),
}
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    code = serializers.CharField(help_text=_("机器可读的错误代码，如 invalid、not_found、invalid_transition"))
    message = serializers.CharField(help_text=_("给人看的说明（中文）"))
    fields = serializers.DictField(
        child=serializers.JSONField(), help_text=_("逐项的错误：字段名 → 说明列表（可嵌套）")
    )
    request_id = serializers.CharField(required=False, help_text=_("仅 500：请求编号，用于排查"))


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions=bypass_extensions)
        if _blank_read_only_choice(field):
            # DRF drops ``allow_blank`` from read-only fields, so spectacular would leave "" (a blank
            # choice, e.g. no check-in method yet) outside the enum the answers actually use.
            meta = {key: schema.pop(key) for key in ("readOnly", "title", "description") if key in schema}
            schema = {"oneOf": [schema, {"type": "string", "enum": [""]}], **meta}
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        error = {"application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}}
        codes = dict(ALWAYS)
        if self.method in UNSAFE:
            codes.update(WRITES)
        for code, description in codes.items():
            responses.setdefault(code, {"description": str(description)})
        for code, response in responses.items():
            if code.isdigit() and int(code) >= 400 and "content" not in response:
                response["content"] = error
        return responses


def _blank_read_only_choice(field) -> bool:
    if not isinstance(field, serializers.ChoiceField) or not field.read_only or "" in field.choices:
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:  # a property or an annotation, not a column
        return False
    return bool(getattr(model_field, "blank", False) and getattr(model_field, "choices", None))


def time_fields(result, generator, request, public):
    """Postprocessing hook: ``format: time`` → the wall-clock pattern (see the module docstring)."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                del node["format"]
                node["pattern"] = TIME_PATTERN
                node.setdefault("example", "08:00:00")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
