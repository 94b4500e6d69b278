"""DynamoDB calls of one request of every route and one invocation of every trigger, counted at
botocore under moto, against the budget of docs/data-model.md (the one the test enforces).

The operations and the recorder are the test's (tests/support/every_operation.py,
tests/support/aws_calls.py): the figures here are what
tests/integration/test_dynamodb_calls.py proves.

    python -m bench --only dynamodb_calls
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench import Options, SectionResult
from bench.in_process import lambda_output_discarded, moto_stack

# The budget table's columns, in its order.
OPERATIONS_SHOWN = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "TransactWriteItems",
    "UpdateItem",
    "PutItem",
    "BatchWriteItem",
    "Scan",
)


def verdict(measured: dict[str, int], budgeted: dict[str, int]) -> str:
    if "Scan" in measured:
        return "SCAN"
    if measured == budgeted:
        return "as budgeted"
    return "DIFFERS from budget"


def measure() -> list[dict[str, Any]]:
    """One row per budget row, in the scenario's order; a failed request raises."""
    from tests.support.dynamodb_budget import load_budget
    from tests.support.every_operation import OPERATIONS, Scenario, run_recorded

    budget = load_budget()
    rows = []
    with moto_stack() as (stack, monkeypatch), lambda_output_discarded():
        scenario = Scenario(stack, monkeypatch)
        for operation in OPERATIONS:
            outcome, calls = run_recorded(scenario, operation)
            if outcome.status >= 300:
                raise RuntimeError(f"{operation.name} failed: {outcome.status} {outcome.detail}")
            measured = dict(calls.operations())
            others = Counter(
                f"{c.service}:{c.operation}" for c in calls.calls if c.service != "dynamodb"
            )
            rows.append(
                {
                    "operation": operation.name,
                    "function": operation.function,
                    "measured": measured,
                    "budget": budget.get(operation.name),
                    "verdict": verdict(measured, budget.get(operation.name, {})),
                    "other_aws_calls": dict(others),
                }
            )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """Each cell: measured/budgeted calls."""
    width = max(len(row["operation"]) for row in rows) + 2
    header = f"{'route or trigger':<{width}}" + "".join(
        f"{op:>{len(op) + 2}}" for op in OPERATIONS_SHOWN
    )
    lines = [header + "  (measured/budget)", "-" * (len(header) + 20)]
    for row in rows:
        cells = ""
        for op in OPERATIONS_SHOWN:
            measured, budgeted = row["measured"].get(op, 0), (row["budget"] or {}).get(op, 0)
            text = f"{measured}/{budgeted}" if measured or budgeted else "."
            cells += f"{text:>{len(op) + 2}}"
        lines.append(f"{row['operation']:<{width}}{cells}  {row['verdict']}")
    differing = sum(1 for row in rows if row["verdict"] != "as budgeted")
    lines.append(f"{len(rows)} routes and triggers; {differing} differ from the budget")
    return "\n".join(lines)


def section(options: Options) -> SectionResult:
    """The dynamodb_calls section of `python -m bench`; counts do not depend on --runs."""
    rows = measure()
    pre_auth = next(row for row in rows if row["operation"] == "PreAuthenticationFunction")
    return SectionResult(
        table=format_table(rows),
        results={
            "budget_source": "docs/data-model.md, DynamoDB calls per route and trigger",
            "pre_authentication_is_one_get_item": pre_auth["measured"] == {"GetItem": 1},
            "scans": sum(row["measured"].get("Scan", 0) for row in rows),
            "all_as_budgeted": all(row["verdict"] == "as budgeted" for row in rows),
            "operations": rows,
        },
    )
