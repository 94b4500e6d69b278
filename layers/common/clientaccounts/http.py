"""The HTTP edge: one small router for API Gateway REST proxy events, and the one mapping of
errors to HTTP responses.

Every error body is `{"message", "code"}`, plus `errors: [{"field", "message"}]` for bad
input. Inputs are never echoed back (they may hold personal data). Bodies are always read as
JSON (API.md), whatever Content-Type a client sends.

Not Powertools' event handler: importing it loads every resolver it has (AppSync, Bedrock,
VPC Lattice, ...) and its OpenAPI machinery, about a third of an API function's cold start
(docs/decisions.md, "A router, a logger and request validation of our own"). Request models
and their checks are validation.py's.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .auth import Caller, caller_from_claims, check_mfa_enrollment
from .config import get_settings
from .errors import DomainError
from .observability import correlate, logger, publish_metrics
from .validation import InvalidFields, RequestModel

JSON = "application/json"
METHODS = ("GET", "POST", "PATCH", "DELETE")


@dataclass(frozen=True)
class Response:
    status_code: int
    content_type: str = JSON
    body: str = ""


def json_response(status: int, body: Mapping[str, Any] | None = None) -> Response:
    return Response(status, JSON, "" if body is None else json.dumps(body))


def error_response(
    status: int, code: str, message: str, errors: list[dict[str, str]] | None = None
) -> Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return json_response(status, body)


@dataclass(frozen=True)
class Request:
    """What a route reads of the API Gateway proxy event."""

    event: Mapping[str, Any]

    def header(self, name: str) -> str | None:
        """A header's value; header names are case-insensitive."""
        wanted = name.lower()
        for key, value in (self.event.get("headers") or {}).items():
            if key.lower() == wanted:
                return str(value)
        return None

    @property
    def claims(self) -> Mapping[str, str] | None:
        """The ID token's claims, as the Cognito authorizer passes them (None: public)."""
        authorizer = (self.event.get("requestContext") or {}).get("authorizer") or {}
        claims = authorizer.get("claims")
        return claims if isinstance(claims, Mapping) else None


def request_caller(request: Request) -> Caller:
    """The caller of this request (claims checked by the authorizer, state read now). The
    router passes it to any endpoint that takes a `caller` parameter."""
    return caller_from_claims(request.claims)


# --- validation ---------------------------------------------------------------------------

FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """The field's name; a key that is not a plausible field name (it could be anything the
    caller sent, even a password) is reported as "body" instead of being echoed."""
    parts = [str(p) for p in loc]
    if not parts or not all(FIELD_NAME.match(p) or p.isdigit() for p in parts):
        return "body"
    return ".".join(parts)


def _validation_errors(exc: InvalidFields) -> list[dict[str, str]]:
    return [{"field": _field_name(where), "message": message} for where, message in exc.errors]


def _body_error(message: str) -> InvalidFields:
    return InvalidFields([(("body",), message)])


Model = TypeVar("Model", bound=RequestModel)


def parse_body(event: Mapping[str, Any], model: type[Model]) -> Model:
    raw = event.get("body")
    if raw and event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _body_error("The body is not valid JSON.") from None
    if raw is None or raw == "":
        raise _body_error("A JSON body is required.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise _body_error("The body is not valid JSON.") from None
    except RecursionError:  # nested deeper than the parser's stack: no request needs that
        raise _body_error("The body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise _body_error("The body must be a JSON object.")
    return model.parse(data)


def parse_query(event: Mapping[str, Any], model: type[Model]) -> Model:
    return model.parse(event.get("queryStringParameters") or {})


# --- routing ------------------------------------------------------------------------------

# An endpoint takes, by name, any of: `request` (the Request), `caller` (the signed-in
# caller, read now), the path parameters, `body` and `query`. It returns its route's answer
# (a typed dict of answers.py), or None for a route answering 204.
Endpoint = Callable[..., Any]
E = TypeVar("E", bound=Endpoint)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as template.yaml writes it: /clients/{client_id}
    endpoint: Endpoint
    body: type[RequestModel] | None = None
    query: type[RequestModel] | None = None
    status: int = 200  # the success status (docs/openapi.json says the same)
    answer: type | None = None  # the success body's type (answers.py); None for 204
    # R30: staff who must still enrol a second factor may call it (GET /me, POST /me/mfa...).
    while_enrolling: bool = False

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    @property
    def parameters(self) -> tuple[str, ...]:
        """The endpoint's parameter names (what the router passes it)."""
        code = self.endpoint.__code__
        return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]


class Api:
    """The routes one function serves. API Gateway passes the matched template path as the
    event's `resource` and the decoded path parameters, so a route is found by a lookup."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}

    def route(
        self,
        method: str,
        path: str,
        *,
        body: type[RequestModel] | None = None,
        query: type[RequestModel] | None = None,
        status: int = 200,
        answer: type | None = None,
        while_enrolling: bool = False,
    ) -> Callable[[E], E]:
        if method not in METHODS:
            raise ValueError(f"unsupported method {method}")
        if (status == 204) != (answer is None):
            raise ValueError(f"{method} {path}: a 204 has no answer; any other status has one")

        def register(endpoint: E) -> E:
            route = Route(method, path, endpoint, body, query, status, answer, while_enrolling)
            unknown = set(route.parameters) - {
                "request", "caller", "body", "query", *route.path_parameters
            }  # fmt: skip
            if unknown:
                raise ValueError(f"{method} {path}: the router cannot pass {sorted(unknown)}")
            self.routes[(method, path)] = route
            return endpoint

        return register

    def get(
        self,
        path: str,
        *,
        answer: type,
        query: type[RequestModel] | None = None,
        while_enrolling: bool = False,
    ) -> Callable[[E], E]:
        return self.route("GET", path, query=query, answer=answer, while_enrolling=while_enrolling)

    def post(
        self,
        path: str,
        *,
        answer: type | None,
        status: int = 200,
        body: type[RequestModel] | None = None,
        while_enrolling: bool = False,
    ) -> Callable[[E], E]:
        return self.route(
            "POST", path, body=body, status=status, answer=answer, while_enrolling=while_enrolling
        )

    def patch(
        self, path: str, *, answer: type, body: type[RequestModel] | None = None
    ) -> Callable[[E], E]:
        return self.route("PATCH", path, body=body, answer=answer)

    def delete(self, path: str) -> Callable[[E], E]:
        return self.route("DELETE", path, status=204)

    def resolve(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        """The proxy integration's answer to one event."""
        correlate(event)
        try:
            return _proxy_result(self._answer(event))
        finally:
            publish_metrics()  # what the request counted, as one EMF line

    def _answer(self, event: Mapping[str, Any]) -> Response:
        try:
            response = self._dispatch(event)
        except DomainError as exc:
            errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
            if exc.status >= 500:
                logger.warning("dependency unavailable", extra={"code": exc.code})
            response = error_response(exc.status, exc.code, exc.message, errors)
        except InvalidFields as exc:
            errors = _validation_errors(exc)
            fields = ", ".join(sorted({e["field"] for e in errors}))
            response = error_response(
                422, "validation_failed", f"Invalid request: {fields}.", errors
            )
        except Exception as exc:  # the caller gets a clean 500; the log gets the type only
            logger.error("unhandled error", extra={"error_type": type(exc).__name__})
            response = error_response(500, "internal_error", "Something went wrong on our side.")
        return response

    def _dispatch(self, event: Mapping[str, Any]) -> Response:
        method = str(event.get("httpMethod", "")).upper()
        route = self.routes.get((method, str(event.get("resource", ""))))
        if route is None:
            return error_response(404, "route_not_found", "No such route.")
        request = Request(event)
        given = event.get("pathParameters") or {}
        kwargs: dict[str, Any] = {name: str(given.get(name, "")) for name in route.path_parameters}
        wanted = route.parameters
        if "request" in wanted:
            kwargs["request"] = request
        if "caller" in wanted:
            caller = request_caller(request)
            if not route.while_enrolling:
                check_mfa_enrollment(caller)  # R30
            kwargs["caller"] = caller
        if route.body is not None:
            kwargs["body"] = parse_body(event, route.body)
        if route.query is not None:
            kwargs["query"] = parse_query(event, route.query)
        answer = route.endpoint(**kwargs)
        return json_response(route.status, None if route.status == 204 else answer)


def _proxy_result(response: Response) -> dict[str, Any]:
    headers = {"Content-Type": response.content_type}
    # API Gateway answers the CORS preflight itself; the actual answer must name the portal.
    origin = get_settings().portal_origin
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return {
        "statusCode": response.status_code,
        "headers": headers,
        "body": response.body,
        "isBase64Encoded": False,
    }


def create_api() -> Api:
    return Api()
