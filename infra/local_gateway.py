"""API Gateway (REST API, Lambda proxy integration), locally: a WSGI app that matches each
request against the template's Api routes, builds the proxy event API Gateway would send,
calls the function's handler and turns its answer into the HTTP response.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from .lambda_loader import load_handler, load_module
from .local_authorizer import TokenRejected, api_gateway_claims
from .template import Cors, Route, api_routes, function_properties

ACCOUNT_ID = "123456789012"  # moto's default account


def _route_pattern(path: str) -> re.Pattern[str]:
    # {name} is one path segment; {name+} (a greedy proxy) is the rest of the path.
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


def _specificity(route: Route) -> list[bool]:
    # API Gateway prefers a literal segment over a parameter at the same place.
    return [segment.startswith("{") for segment in route.path.split("/")]


def match_resource(path: str, routes: list[Route]) -> str | None:
    """The template resource path (e.g. /clients/{client_id}) serving `path`, whatever the
    method: API Gateway picks the resource first, then the method on it."""
    for route in sorted(routes, key=_specificity):
        if _route_pattern(route.path).match(path):
            return route.path
    return None


def match_route(
    method: str, path: str, routes: list[Route] | None = None
) -> tuple[Route, dict[str, str]] | None:
    """The template route serving method + path, and its path parameters."""
    for route in sorted(routes if routes is not None else api_routes(), key=_specificity):
        if route.method not in (method.upper(), "ANY"):
            continue
        found = _route_pattern(route.path).match(path)
        if found:
            return route, found.groupdict()
    return None


def allowed_methods(path: str, routes: list[Route] | None = None) -> list[str]:
    """The methods some template route serves at this path (none: the path is unknown)."""
    return sorted(
        {
            route.method
            for route in (routes if routes is not None else api_routes())
            if _route_pattern(route.path).match(path)
        }
    )


@dataclass(frozen=True)
class LambdaContext:
    """The context object Lambda passes to a handler (what Powertools reads from it)."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_seconds - (time.monotonic() - self.started)
        return max(0, int(left * 1000))


def lambda_context(logical_id: str) -> LambdaContext:
    """A fresh context for one invocation, with the template's memory and timeout."""
    props = function_properties(logical_id)
    return LambdaContext(
        function_name=f"local-{logical_id}",
        memory_limit_in_mb=int(props.get("MemorySize", 128)),
        timeout_seconds=int(props.get("Timeout", 3)),
    )


def served_routes_problems(routes: list[Route] | None = None) -> list[str]:
    """Each template route whose function's router (`module.app`) has no route for that
    method and path: a deployment would answer 404 there."""
    problems = []
    for route in routes if routes is not None else api_routes():
        module = load_module(route.function)
        served = getattr(getattr(module, "app", None), "routes", {})
        if (route.method, route.path) not in served:
            problems.append(
                f"{route.function} does not serve {route.method} {route.path} "
                f"(template event {route.event}); add the route to its `app` router"
            )
    return problems


def _multi(
    items: list[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """(single-value map, multi-value map) as API Gateway spells them: None when empty,
    the single map keeps the last value."""
    if not items:
        return None, None
    multi: dict[str, list[str]] = {}
    for name, value in items:
        multi.setdefault(name, []).append(value)
    return {k: v[-1] for k, v in multi.items()}, multi


def proxy_event(
    request: Request,
    route: Route,
    path_parameters: dict[str, str],
    *,
    stage: str,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The REST API proxy event for this request."""
    headers, multi_headers = _multi(list(request.headers.items()))
    query, multi_query = _multi(list(request.args.items(multi=True)))
    raw = request.get_data()
    try:
        body: str | None = raw.decode("utf-8") if raw else None
        is_base64 = False
    except UnicodeDecodeError:
        body, is_base64 = base64.b64encode(raw).decode("ascii"), True
    request_id = str(uuid.uuid4())
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "resourceId": "local",
            "resourcePath": route.path,
            "httpMethod": request.method,
            "path": f"/{stage}{request.path}",
            "stage": stage,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.user_agent.string,
            },
            "authorizer": {"claims": claims} if claims is not None else None,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def json_error(status: int, message: str, code: str) -> Response:
    return Response(
        json.dumps({"message": message, "code": code}), status, mimetype="application/json"
    )


def preflight_response(headers: dict[str, str]) -> Response:
    """What the mock integration SAM puts on OPTIONS answers: 200, `{}`, the CORS headers."""
    return Response("{}", 200, headers=headers, mimetype="application/json")


def well_formed(result: Any) -> bool:
    """A proxy integration result API Gateway can turn into an answer."""
    return isinstance(result, dict) and isinstance(result.get("statusCode"), int)


MALFORMED = "The function returned a malformed response."


def http_response(result: Any) -> Response:
    """A proxy integration result as API Gateway returns it; a malformed one is a 500."""
    if not well_formed(result):
        return json_error(500, MALFORMED, "internal_error")
    headers = Headers()
    multi = result.get("multiValueHeaders") or {}
    for name, values in multi.items():
        for value in values:
            headers.add(name, str(value))
    for name, value in (result.get("headers") or {}).items():
        if name not in multi:
            headers[name] = str(value)
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    return Response(data, result["statusCode"], headers=headers)


Authorizer = Callable[[str | None], dict[str, Any]]  # raises TokenRejected
Invoke = Callable[[str, dict[str, Any]], Any]  # (logical id, event) -> result


def invoke_function(logical_id: str, event: dict[str, Any]) -> Any:
    return load_handler(logical_id)(event, lambda_context(logical_id))


@dataclass
class ApiGateway:
    """The WSGI app. `local` answers the requests no template route serves under `/_local/`;
    `after_request` runs after each request (the stack drains the outbox there).

    `cors` (the template's Api `Cors`) makes every resource answer OPTIONS preflights as the
    mock integration SAM adds; `gateway_headers` (its `GatewayResponses` headers, by response
    type) go on the gateway's own refusals: 401 from the authorizer, 404, 5xx."""

    authorizer: Authorizer
    stage: str
    routes: list[Route] = field(default_factory=api_routes)
    invoke: Invoke = invoke_function
    local: Callable[[Request], Response] | None = None
    after_request: Callable[[], None] | None = None
    log: Callable[[str], None] = print
    cors: Cors | None = None
    gateway_headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.monotonic()
        try:
            response = self.handle(request)
        finally:
            if self.after_request is not None:
                self.after_request()
        # Method, path and status only: query strings and bodies may carry personal data.
        elapsed_ms = (time.monotonic() - started) * 1000
        self.log(f"api {request.method} {request.path} {response.status_code} {elapsed_ms:.0f}ms")
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        preflight = self._preflight(request)
        if preflight is not None:
            return preflight
        matched = match_route(request.method, request.path, self.routes)
        if matched is None:
            if self.local is not None and request.path.startswith("/_local/"):
                return self.local(request)
            allowed = allowed_methods(request.path, self.routes)
            if allowed:  # a known path, another method (TRACE too): 405 naming the ones it has
                refused = self.gateway_error(
                    405, f"{request.method} is not allowed here.", "method_not_allowed"
                )
                refused.headers["Allow"] = ", ".join(allowed)
                return refused
            return self.gateway_error(
                404, "No such route.", "route_not_found", kind="RESOURCE_NOT_FOUND"
            )
        route, params = matched
        claims = None
        if route.authorized:
            claims = self._claims(request)
            if claims is None:
                return self.gateway_error(401, "Unauthorized", "unauthorized", kind="UNAUTHORIZED")
        event = proxy_event(request, route, params, stage=self.stage, claims=claims)
        try:
            result = self.invoke(route.function, event)
        except Exception as exc:  # a crashed function: API Gateway answers an error, not HTML
            self.log(f"api {route.function} raised {type(exc).__name__}")
            return self.gateway_error(500, "Internal server error.", "internal_error")
        if not well_formed(result):
            return self.gateway_error(500, MALFORMED, "internal_error")
        return http_response(result)

    def _claims(self, request: Request) -> dict[str, str] | None:
        try:
            return api_gateway_claims(self.authorizer(request.headers.get("Authorization")))
        except TokenRejected:
            return None

    def _preflight(self, request: Request) -> Response | None:
        """The CORS answer to OPTIONS on a known resource without its own OPTIONS route, or
        on a `/_local/` path (local only: a portal in a browser may read those too)."""
        if request.method != "OPTIONS" or self.cors is None:
            return None
        resource = match_resource(request.path, self.routes)
        if resource is None:
            if self.local is None or not request.path.startswith("/_local/"):
                return None
            methods = ["ANY"]
        else:
            methods = [r.method for r in self.routes if r.path == resource]
            if "OPTIONS" in methods:
                return None  # SAM keeps an OPTIONS the template declares
        if self.cors.authorized and self._claims(request) is None:
            return self.gateway_error(401, "Unauthorized", "unauthorized", kind="UNAUTHORIZED")
        return preflight_response(self.cors.preflight_headers(methods))

    def gateway_error(self, status: int, message: str, code: str, *, kind: str = "") -> Response:
        """An answer of API Gateway itself, with the template's GatewayResponses headers: the
        response type's own, else DEFAULT_4XX or DEFAULT_5XX."""
        response = json_error(status, message, code)
        default = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        headers = self.gateway_headers.get(kind) or self.gateway_headers.get(default) or {}
        for name, value in headers.items():
            response.headers[name] = value
        return response
