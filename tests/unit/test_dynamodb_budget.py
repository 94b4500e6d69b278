"""The budget of docs/data-model.md is read as written: every route and trigger, counts as
numbers, a missing row or a budgeted Scan refused."""

from __future__ import annotations

import pytest

from infra.template import api_routes
from tests.support.dynamodb_budget import (
    TRIGGERS,
    BudgetError,
    load_budget,
    parse_budget,
    uncovered,
)

TABLE = """
## DynamoDB calls per route and trigger
Some prose.

| route or trigger | GetItem | Query | Scan | what is read |
| --- | --- | --- | --- | --- |
| GET /me | 1 | | | the caller |
| `GET /clients` | 1 | 1 | 0 | caller; a page |

## Next section
| not | the | budget |
"""


def test_the_document_covers_every_template_route_and_every_trigger() -> None:
    budget = load_budget()
    for route in api_routes():
        assert any(name.split(" (")[0] == f"{route.method} {route.path}" for name in budget)
    for trigger in TRIGGERS:
        assert any(name.split(" (")[0] == trigger for name in budget)
    assert budget["PreAuthenticationFunction"] == {"GetItem": 1}


def test_counts_are_read_per_operation_and_empty_cells_are_zero() -> None:
    assert parse_budget(TABLE) == {
        "GET /me": {"GetItem": 1},
        "GET /clients": {"GetItem": 1, "Query": 1},
    }


def test_a_route_without_a_row_is_reported() -> None:
    missing = uncovered(parse_budget(TABLE))
    assert "POST /clients" in missing and "PreAuthenticationFunction" in missing
    assert "GET /me" not in missing


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ("| GET /me | 1 | | 1 | x |", "Scan"),
        ("| GET /me | one | | | x |", "not a count"),
        ("| GET /me | 1 | |", "cells"),
    ],
)
def test_a_malformed_row_is_refused(row: str, complaint: str) -> None:
    text = TABLE.replace("| GET /me | 1 | | | the caller |", row)
    with pytest.raises(BudgetError, match=complaint):
        parse_budget(text)


def test_a_document_without_the_section_is_refused() -> None:
    with pytest.raises(BudgetError, match="no section"):
        parse_budget("# Data model\n")
