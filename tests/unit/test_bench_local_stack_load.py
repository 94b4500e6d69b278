"""The load benchmark's arithmetic and bookkeeping. No timing is asserted: the machine is
shared and noisy, so only the mechanics are checked."""

from __future__ import annotations

import math
import time

import pytest

from bench.local_stack_load import (
    BASELINE,
    CONFIRMATION,
    REGISTRATION,
    Timed,
    confirmation_tokens,
    format_table,
    percentile,
    ratios,
    round_sizes,
    run_block,
    summarize,
)


def test_percentiles_interpolate_between_the_nearest_ranks() -> None:
    samples = [4.0, 1.0, 3.0, 2.0, 5.0]
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 50) == 3.0
    assert percentile(samples, 100) == 5.0
    assert percentile(samples, 99) == pytest.approx(4.96)  # 4 + 0.96 * (5 - 4)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_summary_counts_unexpected_statuses_and_unrun_jobs_as_errors() -> None:
    blocks = [
        Timed(REGISTRATION, [0.1, 0.3], [202, 202], wall_seconds=0.5),
        Timed(REGISTRATION, [0.2, 0.4], [409, 0], wall_seconds=0.5, not_run=3),
    ]
    summary = summarize(blocks)
    assert summary.requests == 4
    assert summary.errors == 5  # 409, no answer (0), three never sent
    assert summary.per_second == 4.0  # 4 requests in 1 s of wall time
    assert summary.p50_ms == pytest.approx(250.0)
    assert summary.max_ms == pytest.approx(400.0)


def test_ratios_are_to_the_baseline_of_the_same_run() -> None:
    base = summarize([Timed(BASELINE, [0.1] * 10, [200] * 10, wall_seconds=1.0)])
    slow = summarize([Timed(CONFIRMATION, [0.4] * 10, [200] * 10, wall_seconds=4.0)])
    assert ratios(slow, base) == pytest.approx({"per_second": 0.25, "p50": 4.0, "p99": 4.0})
    # Nothing measured: no figure, not a ZeroDivisionError.
    empty = summarize([])
    assert all(math.isnan(v) for v in ratios(slow, empty).values())


def test_rounds_split_the_clients_evenly() -> None:
    assert round_sizes(150, 4) == [38, 38, 37, 37]
    assert round_sizes(3, 4) == [1, 1, 1]
    assert sum(round_sizes(7, 2)) == 7


def test_a_block_runs_every_job_once_on_the_workers() -> None:
    done: list[int] = []

    def job(number: int) -> int:
        done.append(number)
        return 200

    jobs = [lambda n=n: job(n) for n in range(10)]
    timed = run_block(BASELINE, jobs, workers=3, deadline=time.monotonic() + 60)
    assert sorted(done) == list(range(10))
    assert timed.statuses == [200] * 10
    assert len(timed.seconds) == 10
    assert timed.not_run == 0


def test_a_block_past_its_deadline_sends_nothing_more_and_says_so() -> None:
    timed = run_block(BASELINE, [lambda: 200] * 5, workers=2, deadline=time.monotonic() - 1)
    assert timed.seconds == []
    assert timed.not_run == 5


def test_a_request_without_an_answer_is_status_zero() -> None:
    def refused() -> int:
        raise ConnectionRefusedError

    timed = run_block(REGISTRATION, [refused], workers=1, deadline=time.monotonic() + 60)
    assert timed.statuses == [0]


def test_confirmation_tokens_are_indexed_by_recipient() -> None:
    link = "https://portal.example.org/practice/confirm-email?token="
    mailbox = [
        {"to": ["a@mail.example"], "subject": "Confirm", "text": f"Open {link}tok-1\nthanks"},
        {"to": ["b@mail.example"], "subject": "Get started", "text": "no link here"},
        {"to": ["a@mail.example"], "subject": "Confirm", "text": f"{link}tok_2"},
    ]
    assert confirmation_tokens(mailbox) == {"a@mail.example": ["tok-1", "tok_2"]}


def test_the_table_shouts_every_problem() -> None:
    block = Timed(BASELINE, [0.1], [200], wall_seconds=0.1)
    rows = {
        kind: summarize([Timed(kind, block.seconds, [200 if kind == BASELINE else 202])])
        for kind in (BASELINE, REGISTRATION, CONFIRMATION)
    }
    checks = {
        "workers": 1,
        "clients": 1,
        "warm_up_clients": 0,
        "rounds": 1,
        "stack_log": {"tracebacks": 0, "mailer_failures": 0, "server_errors": 0},
    }
    table = format_table(rows, checks, ["client #0: no confirmation link"])
    assert "!! 1 PROBLEM(S)" in table
    assert "client #0: no confirmation link" in table
    assert "every account and email arrived" in format_table(rows, checks, [])


def test_an_answer_that_cannot_be_read_is_counted_not_lost() -> None:
    def unreadable() -> int:
        raise AttributeError("'NoneType' object has no attribute 'get'")

    timed = run_block(CONFIRMATION, [unreadable], workers=1, deadline=time.monotonic() + 60)
    assert timed.statuses == [-1]
    assert summarize([timed]).errors == 1
