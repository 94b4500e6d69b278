"""docs/openapi.json is what the routes say today (regenerate: python -m infra.openapi)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from openapi_spec_validator import validate

from infra.openapi import ERRORS_OF_ROUTE, build_openapi
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


API_MD = Path(__file__).resolve().parents[2] / "docs" / "API.md"
SHARED_API_MD = Path(__file__).resolve().parents[2] / "../shared/API.md"
# A route of a table row (`GET /clients?status=`, `GET /org` · `PATCH /org`): the method and
# the path without its query.
TABLE_ROUTE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)(?:\?[^`]*)?`")
# What ../shared/API.md announces that is not built yet (docs/API.md says so too); when one is
# built, it leaves this list.
NOT_BUILT: set[tuple[str, str]] = set()


def contract_routes(text: str) -> set[tuple[str, str]]:
    """(method, path) of every table row of API.md, but the local stack's own routes."""
    api = text.split("## The local stack")[0]
    return {
        (found.group(1), found.group(2))
        for line in api.splitlines()
        if line.startswith("| `")
        for found in TABLE_ROUTE.finditer(line.split(" | ")[0])
    }


def documented_routes() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in build_openapi()["paths"].items()
        for method in operations
    }


def test_api_md_lists_exactly_the_routes_of_the_document() -> None:
    listed = contract_routes(API_MD.read_text())
    documented = documented_routes()
    assert listed - documented == set(), "in docs/API.md, not served"
    assert documented - listed == set(), "served, not in docs/API.md"


def test_the_shared_contract_lists_only_routes_the_document_has() -> None:
    """../shared/API.md, where it exists (not in CI): each route it lists is served, but for
    the ones it announces that are not built yet (NOT_BUILT, named in docs/API.md too)."""
    if SHARED_API_MD.exists():
        listed = contract_routes(SHARED_API_MD.read_text())
        assert listed - documented_routes() == NOT_BUILT
    assert NOT_BUILT.isdisjoint(documented_routes())


def test_route_specific_errors_name_routes_that_exist() -> None:
    assert set(ERRORS_OF_ROUTE) <= {(r.method, r.path) for r in api_routes()}
