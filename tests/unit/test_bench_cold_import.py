"""The cold-import benchmark measures what it claims to. No timing is asserted: the machine
is shared and noisy, so only the mechanics are checked."""

from __future__ import annotations

from pathlib import Path

from bench.cold_import import BASELINE, format_table, measure_function, summarize, targets
from infra.lambda_loader import handler_location


def test_a_child_imports_the_handler_from_its_code_uri() -> None:
    measured = measure_function("PreAuthenticationFunction")
    assert measured.ns > 0
    # The child reports the file it imported: the template's handler, not another `app`.
    path, _ = handler_location("PreAuthenticationFunction")
    assert Path(measured.module_file).resolve() == path.resolve()


def test_ratios_are_medians_over_the_baseline_median() -> None:
    rows = summarize({BASELINE: [100, 300, 200], "PreAuthenticationFunction": [250, 1, 900]})
    (row,) = rows
    assert row["ratio"] == 1.25  # 250 / 200
    assert row["paired_ratio_median"] == 2.5  # 250 / 100, 1 / 300, 900 / 200
    assert [t["met"] for t in row["targets"]] == [False, True]
    assert "NOT MET" in format_table(rows)


def test_targets_follow_the_issues() -> None:
    assert [t.limit for t in targets("RegisterFunction")] == [1.5]
    assert targets("MailerFunction") == []
