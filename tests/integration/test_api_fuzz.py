"""Every operation of docs/openapi.json, fed schema-shaped, arbitrary and malformed input by
Hypothesis, as a signed-in org admin: never a 5xx, and every error is JSON with message and
code (API.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from infra.openapi import build_openapi
from tests.integration.conftest import Stack
from tests.lambda_events import call_api

DOCUMENT = build_openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]


def _resolve(schema: Any) -> Any:
    """Inline the document's $refs (hypothesis-jsonschema wants a self-contained schema)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _resolve(DOCUMENT["components"]["schemas"][schema["$ref"].split("/")[-1]])
        return {k: _resolve(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(v) for v in schema]
    return schema


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)


def _body(operation: dict[str, Any]) -> st.SearchStrategy[str | None]:
    request = operation.get("requestBody")
    if request is None:
        return st.none() | st.text(max_size=50)
    schema = _resolve(request["content"]["application/json"]["schema"])
    return st.one_of(
        from_schema(schema).map(json.dumps),  # well-formed: reaches the use case
        JSON_VALUES.map(json.dumps),  # any JSON
        st.text(max_size=200),  # not JSON at all
    )


SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_no_operation_answers_5xx(stack: Stack, method: str, path: str, operation: Any) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    query_names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        segments=st.lists(SEGMENT, min_size=3, max_size=3),
        query=st.fixed_dictionaries({}, optional={n: st.text(max_size=30) for n in query_names}),
        body=_body(operation),
    )
    def check(segments: list[str], query: dict[str, str], body: str | None) -> None:
        concrete = path
        for name, value in zip(
            [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"],
            segments,
            strict=False,
        ):
            concrete = concrete.replace("{" + name + "}", value)
        answer = call_api(method, concrete, raw_body=body, query=query or None, claims=admin.claims)
        assert answer.status < 500, (answer.status, answer.body)
        if answer.status >= 400:
            assert {"message", "code"} <= set(answer.body), answer.body

    check()
