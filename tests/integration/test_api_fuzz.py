"""Every operation of docs/openapi.json, fed schema-shaped, arbitrary and malformed input by
Hypothesis, as a signed-in org admin: never a 5xx, and every error is JSON with message and
code (API.md). The malformed input includes what once answered 5xx: JSON nested past the
parser's stack, lone surrogates ("\\ud800") in string fields and query values, forged and
garbage list cursors, and an over-long Idempotency-Key."""

from __future__ import annotations

import base64
import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from infra.openapi import build_openapi
from tests.support.lambda_events import call_api
from tests.support.stack import Stack

DOCUMENT = build_openapi()
OPERATIONS: list[tuple[str, str, dict[str, Any]]] = [
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


# A lone surrogate is valid JSON ("\\ud800") but no encoder takes it.
LONE_SURROGATE_TEXT = st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    st.text(max_size=5),
    st.characters(categories=["Cs"]),
    st.text(max_size=5),
)
DEEPLY_NESTED = st.integers(min_value=1_000, max_value=100_000).flatmap(
    lambda depth: st.sampled_from(["[" * depth + "]" * depth, '{"a": ' * depth + "1" + "}" * depth])
)


def _base64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


URL_SAFE = string.ascii_letters + string.digits + "-_"
GARBAGE_CURSORS = st.one_of(
    st.text(alphabet=URL_SAFE, min_size=43, max_size=43),  # shaped like ours, never issued
    st.text(alphabet=URL_SAFE, max_size=100),
    JSON_VALUES.map(lambda value: _base64(json.dumps(value).encode())),  # the old format
    st.binary(max_size=64).map(_base64),
    LONE_SURROGATE_TEXT,
    st.text(max_size=200),
)


def _is_string(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" or any(
        option.get("type") == "string" for option in schema.get("anyOf", [])
    )


def _body(operation: dict[str, Any]) -> st.SearchStrategy[str | None]:
    request = operation.get("requestBody")
    if request is None:
        return st.none() | st.text(max_size=50) | DEEPLY_NESTED
    schema = _resolve(request["content"]["application/json"]["schema"])
    strings = sorted(n for n, p in schema.get("properties", {}).items() if _is_string(p))
    with_a_lone_surrogate = (
        st.tuples(from_schema(schema), st.sampled_from(strings), LONE_SURROGATE_TEXT).map(
            lambda chosen: json.dumps({**chosen[0], chosen[1]: chosen[2]})
        )
        if strings
        else st.nothing()
    )
    return st.one_of(
        from_schema(schema).map(json.dumps),  # well-formed: reaches the use case
        with_a_lone_surrogate,  # well-formed but for one string
        JSON_VALUES.map(json.dumps),  # any JSON
        st.text(max_size=200),  # not JSON at all
        DEEPLY_NESTED,  # deeper than the parser's stack
    )


def _query_value(name: str) -> st.SearchStrategy[str]:
    values = st.text(max_size=30) | LONE_SURROGATE_TEXT
    return values | GARBAGE_CURSORS if name == "cursor" else values


# Idempotency-Key (POST /clients): any short text; over 2 kB has its own case below.
IDEMPOTENCY_KEYS = st.none() | st.text(max_size=200)
OVERLONG_IDEMPOTENCY_KEYS = st.tuples(
    st.text(min_size=1, max_size=8), st.integers(min_value=2_049, max_value=5_000)
).map(lambda chosen: (chosen[0] * chosen[1])[: chosen[1]])  # repeated: cheap to generate


SEGMENT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="/?#%"),
    min_size=1,
    max_size=40,
)


def _create_client() -> dict[str, Any]:
    ((operation,),) = [[o for m, p, o in OPERATIONS if (m, p) == ("POST", "/clients")]]
    return operation


CASES = [
    pytest.param(method, path, operation, IDEMPOTENCY_KEYS, id=f"{method} {path}"[:60])
    for method, path, operation in OPERATIONS
] + [
    pytest.param(
        "POST",
        "/clients",
        _create_client(),
        OVERLONG_IDEMPOTENCY_KEYS,
        id="POST /clients, Idempotency-Key over 2 kB",
    )
]


@pytest.mark.parametrize(("method", "path", "operation", "idempotency_keys"), CASES)
def test_no_operation_answers_5xx(
    stack: Stack,
    method: str,
    path: str,
    operation: Any,
    idempotency_keys: st.SearchStrategy[str | None],
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    query_names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    takes_idempotency_key = (method, path) == ("POST", "/clients")

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        segments=st.lists(SEGMENT, min_size=3, max_size=3),
        query=st.fixed_dictionaries({}, optional={n: _query_value(n) for n in query_names}),
        body=_body(operation),
        idempotency_key=idempotency_keys if takes_idempotency_key else st.none(),
    )
    def check(
        segments: list[str], query: dict[str, str], body: str | None, idempotency_key: str | None
    ) -> None:
        concrete = path
        for name, value in zip(
            [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"],
            segments,
            strict=False,
        ):
            concrete = concrete.replace("{" + name + "}", value)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else None
        answer = call_api(
            method,
            concrete,
            raw_body=body,
            query=query or None,
            headers=headers,
            claims=admin.claims,
        )
        assert answer.status < 500, (answer.status, answer.body)
        if answer.status >= 400:
            assert {"message", "code"} <= set(answer.body), answer.body

    check()
