"""The HTTP edge: one resolver factory and the one mapping of errors to HTTP responses.

Every error body is `{"message", "code"}`, plus `errors: [{"field", "message"}]` for bad
input. Inputs are never echoed back (they may hold personal data).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from .auth import Caller, caller_from_claims
from .errors import DomainError
from .observability import logger

JSON = "application/json"


def json_response(status: int, body: dict[str, Any] | None = None) -> Response[str]:
    return Response(status_code=status, content_type=JSON, body=json.dumps(body) if body else "")


def error_response(
    status: int, code: str, message: str, errors: list[dict[str, str]] | None = None
) -> Response[str]:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return json_response(status, body)


FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """The field's name; a key that is not a plausible field name (it could be anything the
    caller sent, even a password) is reported as "body" instead of being echoed."""
    # Powertools prefixes the location: ("body", "dob"), ("query", "limit").
    inside = loc[1:] if loc and loc[0] in ("body", "query", "path") else loc
    parts = [str(p) for p in inside]
    if not parts or not all(FIELD_NAME.match(p) or p.isdigit() for p in parts):
        return "body"
    return ".".join(parts)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            errors.append({"field": "body", "message": "The body is not valid JSON."})
        elif error.get("type") == "model_attributes_type":
            errors.append({"field": "body", "message": "The body must be a JSON object."})
        elif error.get("type") == "extra_forbidden":
            errors.append({"field": _field_name(error["loc"]), "message": "Unknown field."})
        else:
            msg = str(error.get("msg", "Invalid value."))
            if msg.startswith("Value error, "):
                msg = msg.removeprefix("Value error, ")
            errors.append({"field": _field_name(error["loc"]), "message": msg})
    return errors


class JsonApiResolver(APIGatewayRestResolver):
    """Bodies are JSON (API.md), whatever Content-Type a client sends: without this, a form
    or text content type makes Powertools parse the JSON text as form fields."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        event = dict(event)
        if event.get("body") is not None:
            for key in ("headers", "multiValueHeaders"):
                headers = {
                    k: v for k, v in (event.get(key) or {}).items() if k.lower() != "content-type"
                }
                headers["Content-Type"] = JSON if key == "headers" else [JSON]
                event[key] = headers
        return super().resolve(event, context)


def request_caller(app: APIGatewayRestResolver) -> Caller:
    """The caller of the current request (claims checked by the authorizer, state read now)."""
    context = app.current_event.request_context
    claims = context.authorizer.claims if context.authorizer else None
    return caller_from_claims(claims)


def create_api() -> APIGatewayRestResolver:
    """A REST resolver with request validation and the project's error mapping."""
    app = JsonApiResolver(enable_validation=True)

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response[str]:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        if exc.status >= 500:
            logger.warning("dependency unavailable", extra={"code": exc.code})
        return error_response(exc.status, exc.code, exc.message, errors)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response[str]:
        errors = _validation_errors(exc)
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return error_response(422, "validation_failed", f"Invalid request: {fields}.", errors)

    @app.not_found
    def _route_not_found(_exc: Exception) -> Response[str]:
        return error_response(404, "route_not_found", "No such route.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[str]:
        logger.error("unhandled error", extra={"error_type": type(exc).__name__})
        return error_response(500, "internal_error", "Something went wrong on our side.")

    return app
