"""Schemathesis, an outside fuzzer, against the local stack with docs/openapi.json: without a
token and as an org admin, every check it has (infra/schemathesis.toml names the one narrow
exclusion and why), a fixed example budget and seed. 0 failures, no 5xx (README, "Tests";
`make fuzz` runs longer with a fresh seed)."""

from __future__ import annotations

import pytest

from infra import fuzz

MAX_EXAMPLES = 10
SEED = 1


def test_schemathesis_finds_nothing_unauthenticated_or_as_an_org_admin() -> None:
    if not fuzz.ST.exists():
        pytest.fail(f"{fuzz.ST} is missing: `make test` installs it (.tools/schemathesis)")
    runs = fuzz.run(MAX_EXAMPLES, SEED, timeout=900)
    assert [run.name for run in runs] == ["unauthenticated", "org admin"]
    for run in runs:
        assert run.returncode == 0, f"Schemathesis, {run.name}:\n{run.output}"
        assert "5xx" not in run.output and "Server error" not in run.output, run.output
