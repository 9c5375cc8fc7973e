"""The OpenAPI schema tells the truth (issue 11, item 19): times of day as the answers give them, nullable
fields nullable, blank choices inside the enum, and every error answer documented in the one shape."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.api.schema import TIME_PATTERN


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_no_time_format_and_the_pattern_takes_the_answers_times(schema):
    assert not [n for n in _walk(schema) if n.get("format") == "time"]
    opens_at = schema["components"]["schemas"]["Market"]["properties"]["opens_at"]
    assert opens_at["pattern"] == TIME_PATTERN
    for value in ("06:00:00", "18:30", "23:59:59.5"):
        assert re.match(TIME_PATTERN, value)
    for value in ("24:00", "6:00", "06:00:00+08:00"):
        assert not re.match(TIME_PATTERN, value)


def test_a_top_level_occupation_has_a_null_parent(schema):
    props = schema["components"]["schemas"]["Occupation"]["properties"]
    assert props["parent"]["nullable"] is True
    assert props["parent_name"]["nullable"] is True


@pytest.mark.parametrize("name", ["check_in_method", "check_out_method", "cancelled_by"])
def test_blank_choices_are_in_the_enum(schema, name):
    field = schema["components"]["schemas"]["WorkOrder"]["properties"][name]
    enums = [option.get("enum") for option in field["oneOf"]]
    assert [""] in enums


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "fields"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = operation["responses"]
            expected = {"400", "401", "403", "404", "429"}
            if method in ("post", "put", "patch", "delete"):
                expected |= {"409", "413", "415"}
            assert expected <= set(codes), (method, path)
            for code, response in codes.items():
                # a payment provider's callback is answered in the provider's own shape (its contract)
                if int(code) >= 400 and "/callbacks/" not in path:
                    assert response["content"]["application/json"]["schema"] == error, (method, path, code)
