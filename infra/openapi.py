"""The API's OpenAPI description, exported from the routes themselves.

Each function's router (`clientaccounts.http.Api`) holds its routes with their body and
query models (`clientaccounts.validation`); this describes them for every route of
template.yaml, with the project's error body (API.md) and the success status each route
answers. `docs/openapi.json` is its output; a test fails when the file is not current:

    python -m infra.openapi > docs/openapi.json
"""

from __future__ import annotations

import json
import sys
import types
import typing
from typing import Annotated, Any, NotRequired, Union, get_args, get_origin, get_type_hints

from clientaccounts.answers import OneOf
from clientaccounts.http import Route as ServedRoute
from clientaccounts.validation import RequestModel

from .lambda_loader import load_module
from .template import api_routes

# Request headers a route reads, beyond Authorization.
HEADERS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("POST", "/clients"): [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": (
                "A retry with the same key and body by the same caller within 24 hours returns "
                "the first answer; the same key with another body is 422 "
                "`idempotency_key_reused`. Deleting the client releases it."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }
    ],
}
ERROR = {
    "type": "object",
    "required": ["message", "code"],
    "properties": {
        "message": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
ERRORS_OF_EVERY_ROUTE = {
    "404": "Unknown here (also another organization's id)",
    "422": "Bad input; `errors` names each field",
    "503": "A dependency failed; nothing changed, retry",
}
ERRORS_OF_AUTHENTICATED_ROUTES = {
    "401": "No or bad token, an unknown account, or a token whose username is not the account's",
    "403": (
        "The role does not allow it, the client belongs to other departments "
        "(`department_out_of_scope`, R11b), the account is inactive, or (staff) the "
        "organization requires a second factor not yet enrolled (`mfa_enrollment_required`, "
        "R30; but on GET /me, POST /me/mfa and POST /me/password-changed)"
    ),
    "409": "Conflict with the current state",
}
_LINK_GONE = "The link was used (`link_used`), replaced by a newer one (`link_replaced`) or expired"
_USERNAME_TAKEN = "The username is taken (`username_taken`); the link stays usable"
# Statuses particular to some routes (API.md), beyond the ones every route may answer.
ERRORS_OF_ROUTE: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/public/email-confirmations"): {"409": _USERNAME_TAKEN, "410": _LINK_GONE},
    ("POST", "/public/invitations/accept"): {"409": _USERNAME_TAKEN, "410": _LINK_GONE},
    ("POST", "/public/password-resets"): {
        "409": "The link is being used right now (`link_in_use`); try again",
        "410": _LINK_GONE,
    },
    ("POST", "/public/email-changes/confirm"): {
        "409": "The address was taken meanwhile (`email_taken`)",
        "410": _LINK_GONE,
    },
    ("POST", "/me/email-change"): {"429": "Too many emails to this address; try later"},
    ("POST", "/clients"): {
        "409": "The address is a client's already (`email_taken`); `concurrent_change`",
    },
    ("PATCH", "/clients/{client_id}"): {
        "409": (
            "The client has credentials and owns the address (`client_owns_email`, R24); the "
            "address is another client's (`email_taken`); `concurrent_change`"
        ),
    },
    ("POST", "/clients/{client_id}/approve"): {"409": "Not pending (`not_pending`)"},
    ("POST", "/clients/{client_id}/invitation"): {
        "409": "The client has set credentials already (`accepted`)",
    },
    ("POST", "/clients/{client_id}/password-reset"): {
        "409": "No credentials yet (`credentials_not_set`): send the invitation instead",
    },
    ("DELETE", "/clients/{client_id}"): {
        "409": "The client has care sessions (`has_session_history`, R17); `concurrent_change`",
    },
    ("POST", "/clients/{client_id}/practitioners"): {
        "409": (
            "Associated already (`already_associated`); the practitioner has as many clients as "
            "allowed (`too_many_clients`); `concurrent_change`"
        ),
    },
    ("POST", "/staff/{staff_id}/clients"): {
        "409": (
            "Associated already (`already_associated`); the practitioner has as many clients as "
            "allowed (`too_many_clients`); `concurrent_change`"
        ),
    },
    ("POST", "/care-sessions"): {
        "403": "Not the client's practitioner (`not_associated`)",
        "409": "The client is not active (`client_not_active`)",
    },
    ("POST", "/staff"): {"409": "The address is a staff member's already (`email_taken`)"},
    ("PATCH", "/staff/{staff_id}"): {
        "409": (
            "Removing `practitioner` from one with clients (`has_associations`) or from an "
            "individual practice's only practitioner (`only_practitioner`); the last active "
            "org admin (`last_org_admin`); `staff_changed`, `concurrent_change`"
        ),
    },
    ("DELETE", "/staff/{staff_id}"): {
        "409": (
            "Care sessions recorded (`has_session_history`), clients associated "
            "(`has_associations`), an individual practice's practitioner "
            "(`individual_practitioner`), the last org admin (`last_org_admin`); `staff_changed`"
        ),
    },
    ("POST", "/staff/{staff_id}/invitation"): {
        "409": "Accepted already (`accepted`); the account is inactive (`account_inactive`)",
    },
    ("POST", "/staff/{staff_id}/password-reset"): {
        "409": "No credentials yet (`credentials_not_set`): send the invitation instead",
    },
    ("PATCH", "/org"): {
        "409": (
            "An individual practice needs exactly one active practitioner "
            "(`not_one_practitioner`, R25); `require_staff_mfa` switched on by an org_admin "
            "without a second factor (`enroll_first`, R30); `concurrent_change`"
        ),
    },
    ("POST", "/departments"): {"409": "A department has this name (`name_taken`)"},
    ("PATCH", "/departments/{department_id}"): {
        "409": "A department has this name (`name_taken`)",
    },
    ("POST", "/me/mfa"): {
        "409": "No verified software token: AssociateSoftwareToken and VerifySoftwareToken "
        "with Cognito first (`mfa_not_verified`)"
    },
    ("POST", "/staff/{staff_id}/mfa-reset"): {
        "409": "The staff member has no login yet (`no_login`)"
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


COMPONENT = "#/components/schemas/{model}"


def _model_schema(model: type[RequestModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """A $ref to the model, its schema put in `schemas`."""
    schemas[model.__name__] = model.json_schema()
    return {"$ref": COMPONENT.format(model=model.__name__)}


_SCALARS = {str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"}}


def _type_schema(annotation: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one answer field's annotation (answers.py)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *marks = get_args(annotation)
        schema = _type_schema(base, schemas)
        for mark in marks:
            if isinstance(mark, OneOf):
                schema["enum"] = list(mark.values)
        return schema
    if origin in (Union, types.UnionType):
        options = [_type_schema(a, schemas) for a in get_args(annotation)]
        return {"anyOf": options}
    if origin is list:
        (item,) = get_args(annotation)
        return {"type": "array", "items": _type_schema(item, schemas)}
    if annotation is type(None):
        return {"type": "null"}
    if typing.is_typeddict(annotation):
        return _answer_schema(annotation, schemas)
    return dict(_SCALARS[annotation])


def _answer_schema(answer: type, schemas: dict[str, Any]) -> dict[str, Any]:
    """A $ref to the answer type, its schema put in `schemas` (every field listed, required
    unless NotRequired; no other field is ever answered)."""
    name = answer.__name__
    if name not in schemas:
        schemas[name] = {}  # a placeholder first: an answer may nest itself
        hints = get_type_hints(answer, include_extras=True)
        # From the hints, not __required_keys__: with postponed annotations Python 3.11
        # cannot see NotRequired when it makes the class.
        required = [k for k, hint in hints.items() if get_origin(hint) is not NotRequired]
        properties = {
            key: _type_schema(
                get_args(hint)[0] if get_origin(hint) is NotRequired else hint, schemas
            )
            for key, hint in hints.items()
        }
        schema: dict[str, Any] = {"type": "object", "title": name, "properties": properties}
        if answer.__doc__:
            schema["description"] = " ".join(answer.__doc__.split())
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        schemas[name] = schema
    return {"$ref": COMPONENT.format(model=name)}


def _operation(route: ServedRoute, schemas: dict[str, Any]) -> dict[str, Any]:
    """What the router knows of one route: its parameters and request body."""
    operation: dict[str, Any] = {"summary": f"{route.method} {route.path}"}
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.path_parameters
    ]
    if route.query is not None:
        query = route.query.json_schema()
        required = set(query.get("required", []))
        for name, schema in query["properties"].items():
            parameters.append(
                {"name": name, "in": "query", "required": name in required, "schema": schema}
            )
    parameters += HEADERS.get((route.method, route.path), [])
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _model_schema(route.body, schemas)}},
        }
    return operation


def build_openapi() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for route in api_routes():
        served = load_module(route.function).app.routes[(route.method, route.path)]
        operation = _operation(served, schemas)
        responses: dict[str, Any] = {
            str(served.status): {"description": "No content"}
            if served.answer is None
            else {
                "description": "Success",
                "content": {"application/json": {"schema": _answer_schema(served.answer, schemas)}},
            }
        }
        for status, description in ERRORS_OF_EVERY_ROUTE.items():
            responses[status] = _error_response(description)
        if route.authorized:
            operation["security"] = [{"CognitoIdToken": []}]
            for status, description in ERRORS_OF_AUTHENTICATED_ROUTES.items():
                responses[status] = _error_response(description)
        for status, description in ERRORS_OF_ROUTE.get((route.method, route.path), {}).items():
            responses[status] = _error_response(description)
        operation["responses"] = dict(sorted(responses.items()))
        operation["operationId"] = f"{route.function}.{route.event}"
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    schemas["Error"] = ERROR
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Client accounts API",
            "version": "1",
            "description": "Generated by `python -m infra.openapi` from the handlers' routes.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "CognitoIdToken": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
        },
    }


def main() -> int:
    json.dump(build_openapi(), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
