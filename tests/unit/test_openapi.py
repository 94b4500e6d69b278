"""docs/openapi.json is what the routes say today (regenerate: python -m infra.openapi)."""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from infra.openapi import build_openapi
from infra.template import api_routes

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_openapi_document_is_current() -> None:
    committed = json.loads(DOCUMENT.read_text())
    assert committed == build_openapi(), "run: python -m infra.openapi > docs/openapi.json"


def test_every_route_is_described_with_the_error_body() -> None:
    document = build_openapi()
    for route in api_routes():
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert ("security" in operation) == route.authorized


def test_every_success_answer_has_a_schema_and_its_declared_status() -> None:
    document = build_openapi()
    for route in api_routes():
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        (success,) = [status for status in responses if status.startswith("2")]
        if success == "204":
            assert "content" not in responses[success]
        else:
            schema = responses[success]["content"]["application/json"]["schema"]
            name = schema["$ref"].rsplit("/", 1)[1]
            assert document["components"]["schemas"][name]["type"] == "object"


def test_the_document_is_valid_openapi_3_1() -> None:
    document = build_openapi()
    assert document["openapi"].startswith("3.1.")
    validate(document)  # openapi-spec-validator: raises on any error


def test_link_routes_document_the_gone_and_taken_answers() -> None:
    document = build_openapi()
    for path in ("/public/email-confirmations", "/public/invitations/accept"):
        responses = document["paths"][path]["post"]["responses"]
        assert {"409", "410"} <= set(responses), path
