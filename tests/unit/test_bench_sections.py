"""The in-process benchmark sections compute what they claim from given samples. No timing is
asserted: the machine is shared and noisy, so only the mechanics are checked."""

from __future__ import annotations

import logging
import os
from typing import Any

from bench.cleanup_scale import CleanupRun
from bench.cleanup_scale import format_table as cleanup_table
from bench.cleanup_scale import summarize as summarize_cleanup
from bench.dynamodb_calls import format_table as calls_table
from bench.dynamodb_calls import verdict
from bench.warm_latency import Sample
from bench.warm_latency import format_table as latency_table
from bench.warm_latency import summarize as summarize_latency


def test_warm_latency_ratio_is_median_total_over_median_time_in_aws_calls() -> None:
    samples = {
        "GET /me": [
            Sample(4_000_000, 2_000_000, 1),
            Sample(9_000_000, 3_000_000, 1),
            Sample(6_000_000, 1_000_000, 1),
        ],
        "no AWS call": [Sample(1_000_000, 0, 0)],
    }
    me, idle = summarize_latency(samples)
    assert (me["total_median_ms"], me["aws_median_ms"], me["ours_median_ms"]) == (6.0, 2.0, 5.0)
    assert me["ratio"] == 3.0  # 6 / 2
    assert me["paired_ratio_median"] == 3.0  # 4/2, 9/3, 6/1
    assert idle["ratio"] is None and idle["paired_ratio_median"] is None
    assert "GET /me" in latency_table([me, idle])


def test_dynamodb_calls_verdicts_flag_a_difference_and_any_scan() -> None:
    assert verdict({"GetItem": 1}, {"GetItem": 1}) == "as budgeted"
    assert verdict({"GetItem": 2}, {"GetItem": 1}) == "DIFFERS from budget"
    assert verdict({"Scan": 1}, {}) == "SCAN"
    row: dict[str, Any] = {
        "operation": "GET /me",
        "measured": {"GetItem": 2},
        "budget": {"GetItem": 1},
    }
    table = calls_table([{**row, "verdict": verdict(row["measured"], row["budget"])}])
    assert "2/1" in table and "1 differ" in table


def _run(clients: int, index_read: int, seconds: float, in_index: float) -> CleanupRun:
    return CleanupRun(
        clients_in_table=clients,
        expired=50,
        removed=50,
        index_items_read=index_read,
        items_read={"ClientsTable/UnconfirmedByDeadline": index_read},
        dynamodb_calls={"Query": 53},
        other_aws_calls={},
        seconds=seconds,
        seconds_in_aws=seconds,
        seconds_in_index_queries=in_index,
    )


def test_cleanup_scale_compares_the_large_table_with_the_small_one() -> None:
    summary = summarize_cleanup(
        {2_000: [_run(2_053, 50, 2.0, 0.5)], 20_000: [_run(20_053, 100, 8.0, 6.5)]}
    )
    small, large = summary["sizes"]
    assert small["items_read_per_expired"] == 1.0 and large["items_read_per_expired"] == 2.0
    assert summary["large_over_small"] == {
        "index_items_read": 2.0,
        "seconds": 4.0,
        "seconds_without_index_queries": 1.0,  # 1.5 / 1.5
    }
    assert "20,053" in cleanup_table(summary)


def test_the_functions_log_lines_go_nowhere_while_a_section_runs_then_back() -> None:
    from bench.in_process import lambda_output_discarded
    from clientaccounts.observability import logger

    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    before = handler.stream
    with lambda_output_discarded():
        assert handler.stream.name == os.devnull
        logger.info("during the section", extra={"client_id": "c-1"})
    assert handler.stream is before
