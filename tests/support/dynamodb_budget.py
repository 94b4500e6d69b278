"""The DynamoDB call budget of every route and trigger, read from its one source:
docs/data-model.md, section "DynamoDB calls per route and trigger". The test
(tests/integration/test_dynamodb_calls.py) and the benchmark (bench/dynamodb_calls.py) both
read it from here."""

from __future__ import annotations

import re
from pathlib import Path

from infra.template import ROOT, api_routes

DATA_MODEL = ROOT / "docs" / "data-model.md"
SECTION = "## DynamoDB calls per route and trigger"
# Triggers the budget must cover besides every route: the login gate, the mailer, the cleanup,
# the access log's writer (R29); SES's delivery events (R31).
TRIGGERS = (
    "PreAuthenticationFunction",
    "MailerFunction",
    "CleanupFunction",
    "AccessLogFunction",
    "DeliveryFeedbackFunction",
)
_OPERATION = re.compile(r"^[A-Z][A-Za-z]+$")  # a DynamoDB operation's name: a budget column

Budget = dict[str, dict[str, int]]  # row ("GET /me", "CleanupFunction (nothing due)") -> calls


class BudgetError(ValueError):
    """The document's budget table is missing, malformed or leaves something out."""


def parse_budget(markdown: str) -> Budget:
    """The first table after the section's heading; operations with 0 calls are left out."""
    if SECTION not in markdown:
        raise BudgetError(f"no section {SECTION!r}")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in _table_lines(markdown.split(SECTION, 1)[1])
    ]
    if len(rows) < 3:
        raise BudgetError("the budget table has no rows")
    header, rows = rows[0], rows[2:]  # rows[1] is the --- separator
    columns = {i: name for i, name in enumerate(header) if i > 0 and _OPERATION.match(name)}
    budget: Budget = {}
    for row in rows:
        if len(row) != len(header):
            raise BudgetError(f"row {row[0]!r} has {len(row)} cells, the header {len(header)}")
        name = row[0].strip("`")
        if name in budget:
            raise BudgetError(f"row {name!r} appears twice")
        calls = {}
        for i, operation in columns.items():
            if row[i] and not row[i].isdigit():
                raise BudgetError(f"row {name!r}, {operation}: {row[i]!r} is not a count")
            if row[i] and int(row[i]):
                calls[operation] = int(row[i])
        if calls.get("Scan"):
            raise BudgetError(f"row {name!r} budgets a Scan: no request path may Scan")
        budget[name] = calls
    return budget


def _table_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines or line.startswith("#"):
            break  # the end of the first table, or a next section without one
    return lines


def uncovered(budget: Budget) -> list[str]:
    """Routes of template.yaml and triggers without a row (a row may name a case in
    parentheses: "POST /path (known email)")."""
    covered = {name.split(" (", 1)[0] for name in budget}
    wanted = [f"{route.method} {route.path}" for route in api_routes()] + list(TRIGGERS)
    return [name for name in wanted if name not in covered]


def load_budget(path: Path = DATA_MODEL) -> Budget:
    """The budget, checked to cover every route and trigger."""
    budget = parse_budget(path.read_text())
    missing = uncovered(budget)
    if missing:
        raise BudgetError(f"{path.name} has no budget for: {', '.join(missing)}")
    return budget
