"""docs/openapi.json's request schemas are exactly as strict as the server, operation by
operation: every body Hypothesis generates from an operation's published schema passes that
route's validation (no 422), and a body the schema refuses (a required field dropped, a word
outside an enum, a list emptied below its minItems, an empty PATCH, null where null is no
value) is a 422 naming the field.

Through each route's own validation (`clientaccounts.http.parse_body` with the route's body
model, what the router runs before any use case), so unknown ids and dates in the future,
which only the records can refuse, do not count. Bounded and deterministic."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientaccounts.http import _validation_errors, parse_body
from clientaccounts.validation import InvalidFields, RequestModel
from infra.lambda_loader import load_module
from infra.template import api_routes
from tests.support.schema_values import schema_values

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
COMPONENTS = DOCUMENT["components"]["schemas"]


def _resolve(schema: Any) -> Any:
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _resolve(COMPONENTS[schema["$ref"].rsplit("/", 1)[1]])
        return {k: _resolve(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(v) for v in schema]
    return schema


def _operations() -> list[tuple[str, dict[str, Any], type[RequestModel]]]:
    found = []
    for route in api_routes():
        operation = DOCUMENT["paths"][route.path][route.method.lower()]
        if "requestBody" not in operation:
            continue
        model = load_module(route.function).app.routes[(route.method, route.path)].body
        assert model is not None, (route.method, route.path)
        schema = _resolve(operation["requestBody"]["content"]["application/json"]["schema"])
        found.append((f"{route.method} {route.path}", schema, model))
    return found


OPERATIONS = _operations()
IDS = [name for name, _, _ in OPERATIONS]


def refused_fields(model: type[RequestModel], body: Any) -> set[str] | None:
    """The fields the route's validation names (its 422), or None when it accepts."""
    try:
        parse_body({"body": json.dumps(body)}, model)
    except InvalidFields as exc:
        return {error["field"] for error in _validation_errors(exc)}
    return None


def test_every_operation_with_a_body_is_checked() -> None:
    assert len(OPERATIONS) >= 19
    assert any(name == "PATCH /staff/{staff_id}" for name in IDS)


@pytest.mark.parametrize(("name", "schema", "model"), OPERATIONS, ids=IDS)
def test_what_the_schema_allows_the_route_accepts(
    name: str, schema: dict[str, Any], model: type[RequestModel]
) -> None:
    @settings(
        max_examples=12,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=schema_values(schema))
    def check(body: Any) -> None:
        assert refused_fields(model, body) is None, (name, body)

    check()


Case = tuple[dict[str, Any], str]


def _without(field: str) -> Callable[[dict[str, Any]], Case]:
    return lambda body: ({k: v for k, v in body.items() if k != field}, field)


def _with(field: str, value: Any) -> Callable[[dict[str, Any]], Case]:
    return lambda body: ({**body, field: value}, field)


def _refusals(schema: dict[str, Any]) -> st.SearchStrategy[Case]:
    """A body the schema allows, made one the schema refuses, and the field to be named."""
    properties: dict[str, Any] = schema["properties"]
    valid = schema_values(schema)
    edits = [_without(field) for field in schema.get("required", [])]
    for field, each in properties.items():
        options = each.get("anyOf", [each])
        if not any(option.get("type") == "null" for option in options):
            edits.append(_with(field, None))
        for option in options:
            if "enum" in option:
                edits.append(_with(field, "superuser"))
            if option.get("type") == "array" and option.get("minItems"):
                edits.append(_with(field, []))
            if option.get("type") == "array" and "enum" in option.get("items", {}):
                edits.append(_with(field, ["superuser"]))
    edits.append(_with("unknown_field", 1))
    ways = [valid.map(edit) for edit in edits]
    if schema.get("minProperties"):
        ways.append(st.just(({}, "body")))
    return st.one_of(ways)


@pytest.mark.parametrize(("name", "schema", "model"), OPERATIONS, ids=IDS)
def test_what_the_schema_refuses_the_route_refuses_naming_the_field(
    name: str, schema: dict[str, Any], model: type[RequestModel]
) -> None:
    from jsonschema import Draft202012Validator

    @settings(
        max_examples=12,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_refusals(schema))
    def check(case: tuple[dict[str, Any], str]) -> None:
        body, field = case
        assert not Draft202012Validator(schema).is_valid(body), (name, body)
        named = refused_fields(model, body)
        assert named is not None, (name, body)
        assert any(n == field or n.startswith(f"{field}.") for n in named), (name, body, named)

    check()
