"""DynamoDB calls per route and trigger, counted at botocore: every route of template.yaml and
every trigger against the budget of docs/data-model.md, and no Scan on any request path."""

from __future__ import annotations

import pytest

from tests.support.dynamodb_budget import load_budget
from tests.support.every_operation import OPERATIONS, Scenario, run_recorded
from tests.support.stack import Stack


def test_every_budget_row_has_an_operation_and_every_operation_a_row() -> None:
    names = [operation.name for operation in OPERATIONS]
    assert len(names) == len(set(names))
    assert set(names) == set(load_budget())


def test_dynamodb_calls_of_every_route_and_trigger_are_the_documented_budget(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = load_budget()
    scenario = Scenario(stack, monkeypatch)
    measured = {}
    for operation in OPERATIONS:
        outcome, calls = run_recorded(scenario, operation)
        assert outcome.status < 300, (operation.name, outcome.detail)
        counted = calls.operations()
        assert "Scan" not in counted, operation.name
        measured[operation.name] = dict(counted)
    print("\nDynamoDB calls per route and trigger:")
    for name, calls_made in measured.items():
        print(f"  {name}: {calls_made}")
    assert measured["PreAuthenticationFunction"] == {"GetItem": 1}  # R13: exactly one read
    differing = {
        name: (measured[name], budget[name]) for name in budget if measured[name] != budget[name]
    }
    assert not differing, f"measured, budgeted: {differing}"
