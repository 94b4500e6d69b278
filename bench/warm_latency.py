"""Warm latency of every route's handler and every trigger under moto, as a ratio to the time
spent inside the AWS calls it makes: what our code (parsing, validation, the resolver, pynamodb's
models, rendering, logging) adds on top of the calls it must make.

Each operation (tests/support/every_operation.py, the same as the DynamoDB budget's) is
prepared with fresh inputs, then its handler alone is timed: total wall time, and the time inside
botocore's `_make_api_call` (serialization, moto's work, parsing the answer;
tests/support/aws_calls.py).
Replaying the recorded calls through a raw boto3 client would measure the same thing again:
pynamodb and our botocore clients go through that very method, so the time inside it is what
those calls cost any caller. Every operation runs once to warm up (imports, clients, caches),
then `runs` rounds, interleaved and shuffled; figures are medians.

    python -m bench --only warm_latency [--runs N]
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench import Options, SectionResult
from bench.in_process import lambda_output_discarded, moto_stack

if TYPE_CHECKING:
    from tests.support.every_operation import Operation, Scenario


@dataclass(frozen=True)
class Sample:
    total_ns: int  # the handler's invocation, wall time
    aws_ns: int  # of which inside botocore calls
    aws_calls: int


def timed(scenario: Scenario, operation: Operation) -> Sample:
    """One invocation with fresh inputs; a failed request raises."""
    from tests.support.aws_calls import recorded_aws_calls

    request = operation.prepare(scenario)
    scenario.stack.deliver_emails()  # what the set-up queued is sent now, not timed
    with recorded_aws_calls() as calls:
        start = time.perf_counter_ns()
        outcome = request()
        total = time.perf_counter_ns() - start
    if outcome.status >= 300:
        raise RuntimeError(f"{operation.name} failed: {outcome.status} {outcome.detail}")
    return Sample(total, round(calls.seconds() * 1e9), len(calls.calls))


def run(runs: int, seed: int) -> dict[str, list[Sample]]:
    from tests.support.every_operation import OPERATIONS, Scenario

    samples: dict[str, list[Sample]] = {operation.name: [] for operation in OPERATIONS}
    rng = random.Random(seed)  # noqa: S311 - a shuffle order, not a secret
    with moto_stack() as (stack, monkeypatch), lambda_output_discarded() as terminal:
        scenario = Scenario(stack, monkeypatch)
        for operation in OPERATIONS:
            timed(scenario, operation)  # warm-up, thrown away
        print("round 0 (warm-up)", file=terminal, flush=True)
        for round_number in range(1, runs + 1):
            order = OPERATIONS[:]
            rng.shuffle(order)
            for operation in order:
                samples[operation.name].append(timed(scenario, operation))
            print(f"round {round_number}/{runs}", file=terminal, flush=True)
    return samples


def summarize(samples: dict[str, list[Sample]]) -> list[dict[str, Any]]:
    rows = []
    for name, values in samples.items():
        total_ms = statistics.median(s.total_ns for s in values) / 1e6
        aws_ms = statistics.median(s.aws_ns for s in values) / 1e6
        ours_ms = statistics.median(s.total_ns - s.aws_ns for s in values) / 1e6
        rows.append(
            {
                "operation": name,
                "aws_calls": statistics.median(s.aws_calls for s in values),
                "total_median_ms": round(total_ms, 3),
                "aws_median_ms": round(aws_ms, 3),
                "ours_median_ms": round(ours_ms, 3),
                # None: no AWS call to compare with
                "ratio": round(total_ms / aws_ms, 3) if aws_ms else None,
                # Each invocation against its own calls: a second view of the noise.
                "paired_ratio_median": (
                    round(statistics.median(s.total_ns / s.aws_ns for s in values), 3)
                    if all(s.aws_ns for s in values)
                    else None
                ),
                "samples_total_ms": [round(s.total_ns / 1e6, 3) for s in values],
                "samples_aws_ms": [round(s.aws_ns / 1e6, 3) for s in values],
            }
        )
    return rows


def _ratio(value: float | None) -> str:
    return f"{value:>7.2f}x" if value is not None else f"{'-':>8}"


def format_table(rows: list[dict[str, Any]]) -> str:
    width = max(len(row["operation"]) for row in rows) + 2
    header = (
        f"{'route or trigger':<{width}}{'calls':>6}{'total ms':>10}{'AWS ms':>9}{'ours ms':>9}"
        f"{'ratio':>8}{'paired':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['operation']:<{width}}{row['aws_calls']:>6g}{row['total_median_ms']:>10.2f}"
            f"{row['aws_median_ms']:>9.2f}{row['ours_median_ms']:>9.2f}"
            f"{_ratio(row['ratio'])}{_ratio(row['paired_ratio_median'])}"
        )
    lines.append("ratio: median total / median time inside AWS calls (under moto); no target")
    return "\n".join(lines)


def section(options: Options) -> SectionResult:
    """The warm-latency section of `python -m bench` (bench/__main__.py)."""
    samples = run(options.runs, options.seed)
    rows = summarize(samples)
    return SectionResult(
        table=format_table(rows),
        results={
            "runs": options.runs,
            "warm_up_rounds": 1,
            "baseline": "time inside botocore BaseClient._make_api_call, same invocation",
            "operations": rows,
        },
    )
