"""The one event fixture library: events as AWS sends them, built from tests/support/events/*.json,
and a call helper that routes an HTTP request to its function the way API Gateway does."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from infra.lambda_loader import load_handler
from infra.local_gateway import match_route

EVENTS = Path(__file__).parent / "events"


@cache
def _base(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def base_event(name: str) -> dict[str, Any]:
    return copy.deepcopy(_base(name))


@dataclass(frozen=True)
class FakeLambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    remaining_ms: int = 10_000  # what the scheduled job checks before each step

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def proxy_event(
    method: str,
    resource: str,
    *,
    path: str | None = None,
    path_parameters: dict[str, str] | None = None,
    body: str | None = None,
    is_base64: bool = False,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST proxy event for `resource` (a template path, /clients/{client_id}), whether or
    not template.yaml has it; `claims` are what the Cognito authorizer passes after checking
    the ID token (None: a public route, or a request the authorizer would have refused)."""
    event = base_event("api_gateway_proxy")
    event.update(
        resource=resource,
        path=path or resource,
        httpMethod=method.upper(),
        pathParameters=path_parameters or None,
        queryStringParameters=query,
        body=body,
        isBase64Encoded=is_base64,
    )
    event["headers"].update(headers or {})
    event["requestContext"].update(resourcePath=resource, httpMethod=method.upper())
    if claims is not None:
        event["requestContext"]["authorizer"] = {"claims": claims}
    return event


def api_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The proxy event API Gateway sends for this request to one of template.yaml's routes."""
    matched = match_route(method, path)
    if matched is None:
        raise LookupError(f"template.yaml has no route {method} {path}")
    route, params = matched
    return proxy_event(
        method,
        route.path,
        path=path,
        path_parameters=params,
        body=raw_body if raw_body is not None else (None if body is None else json.dumps(body)),
        headers=headers,
        query=query,
        claims=claims,
    )


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str]


def call_api(method: str, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
    """Invoke the function the template routes this request to, as API Gateway would."""
    event = api_event(method, path, body, **kwargs)
    route, _ = match_route(method, path)  # type: ignore[misc]
    result = load_handler(route.function)(event, FakeLambdaContext())
    raw = result.get("body") or ""
    headers = {k: v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()}
    headers.update(result.get("headers") or {})
    return ApiResponse(result["statusCode"], json.loads(raw) if raw else None, headers)
