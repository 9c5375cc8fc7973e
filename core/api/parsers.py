"""The API's JSON parser: a body that nests too deep, holds a NUL character or a non-finite number is a 400
in the error shape (``parse_error``), never a ``RecursionError`` or a database error later on."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32  # no request of the API nests deeper than a few levels


def _constant(name: str):
    raise ValueError(f"{name} is not a number")


def check_structure(data, *, max_depth: int = MAX_DEPTH) -> None:
    """Iteratively (a deep document must not exhaust the stack here either): depth and NUL characters."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise ParseError(_("请求内容嵌套层级过深。"))
        if isinstance(node, str):
            if "\x00" in node:
                raise ParseError(_("请求内容含有不允许的字符（NUL）。"))
        elif isinstance(node, dict):
            for key, value in node.items():
                if "\x00" in key:
                    raise ParseError(_("请求内容含有不允许的字符（NUL）。"))
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def loads(raw: str | bytes):
    """``json.loads`` that refuses NaN and Infinity, and turns a too-deep document into a ParseError."""
    try:
        data = json.loads(raw, parse_constant=_constant)
    except RecursionError as exc:
        raise ParseError(_("请求内容嵌套层级过深。")) from exc
    except ValueError as exc:
        raise ParseError(_("JSON 格式错误：%(e)s") % {"e": exc}) from exc
    check_structure(data)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(_("请求内容不是有效的 %(enc)s 文本。") % {"enc": encoding}) from exc
        return loads(text)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_structure({k: data.getlist(k) for k in data})
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_structure({k: result.data.getlist(k) for k in result.data})
        return result
