"""DESIGN.md, "Layers inside the shared package": only the persistence package builds
conditions, update expressions and keys. import-linter (`make lint`) keeps pynamodb's imports
in it; this keeps the expressions there too: no use case names a model attribute's expression
method or compares a model attribute, and none builds a `<org>#...` key."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from clientaccounts.persistence.models import ALL_MODELS

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "common" / "clientaccounts"
USE_CASE_MODULES = sorted(p for p in PACKAGE.glob("*.py"))
MODEL_NAMES = {model.__name__ for model in ALL_MODELS.values()}
EXPRESSIONS = {
    "set",
    "remove",
    "add",
    "delete",
    "append",
    "prepend",
    "exists",
    "does_not_exist",
    "contains",
    "is_in",
    "between",
    "startswith",
    "is_type",
}


def _model_attribute(node: ast.AST) -> bool:
    """`Client.status`, or `type(account).status` (a model's attribute, not an instance's)."""
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    if isinstance(owner, ast.Name) and owner.id in MODEL_NAMES:
        return True
    return isinstance(owner, ast.Call) and getattr(owner.func, "id", None) == "type"


def _expressions(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in EXPRESSIONS
            and _model_attribute(node.value)
        ):
            lines.append(node.lineno)
        if isinstance(node, ast.Compare) and any(
            _model_attribute(n) for n in [node.left, *node.comparators]
        ):
            lines.append(node.lineno)
    return lines


def test_the_scan_sees_the_package() -> None:
    assert len(USE_CASE_MODULES) > 20
    assert {"Client", "Staff", "Link", "Guard"} <= MODEL_NAMES


@pytest.mark.parametrize("path", USE_CASE_MODULES, ids=lambda p: p.name)
def test_no_use_case_builds_a_condition_or_an_update_expression(path: Path) -> None:
    assert _expressions(ast.parse(path.read_text())) == []


def test_the_scan_finds_what_it_forbids() -> None:
    sample = "Client.status == 'x'\nStaff.username.exists()\ntype(a).link_hash.remove()\n"
    assert _expressions(ast.parse(sample)) == [1, 2, 3]


@pytest.mark.parametrize("path", USE_CASE_MODULES, ids=lambda p: p.name)
def test_no_use_case_builds_a_key(path: Path) -> None:
    """Key formats live in persistence/keys.py: no f-string starting with an `org_id`
    followed by `#`."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and len(node.values) > 1:
            first, second = node.values[0], node.values[1]
            if (
                isinstance(first, ast.FormattedValue)
                and "org_id" in ast.unparse(first.value)
                and isinstance(second, ast.Constant)
                and str(second.value).startswith("#")
            ):
                pytest.fail(f"{path.name}:{node.lineno} builds a key")
