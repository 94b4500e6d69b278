"""The HTTP edge: one resolver factory and the one mapping of errors to HTTP responses.

Every error body is `{"message", "code"}`, plus `errors: [{"field", "message"}]` for bad
input. Inputs are never echoed back (they may hold personal data).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

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


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) if parts else "body"


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


def create_api() -> APIGatewayRestResolver:
    """A REST resolver with request validation and the project's error mapping."""
    app = APIGatewayRestResolver(enable_validation=True)

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
